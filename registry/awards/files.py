"""Award attachments (自评报告, 证明材料, 盖章扫描件): allow-listed by extension AND content, size-limited, stored
under generated names outside static, versioned per slot in the workflow's ``attachments`` table.

Accepted: PDF, JPEG, PNG (what a report or a stamped scan is). The content is sniffed with ``filetype``: an HTML
page renamed to .pdf is refused. Downloads go through ``readable`` (scoped like the application itself).
"""
from __future__ import annotations

import os
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l

from registry.services.errors import NotFound, ValidationFailed

ALLOWED = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
SLOTS = {"report": _l("自评报告"), "evidence": _l("证明材料"), "stamped_application_form": _l("申报表（盖章）"),
         "stamped_recommendation": _l("推荐意见表（盖章）"), "stamped_review_opinion": _l("审核意见表（盖章）")}
_FORBIDDEN = set('/\\:*?"<>|\x00')


def _refuse(message: str, field: str = "file"):
    raise ValidationFailed({field: [message]})


def store(application_id: int, slot: str, stage: str, filename: str | None, stream: BinaryIO, user_id: int,
          now: datetime):
    """Check and save an upload as the next version of ``slot`` through the workflow's attachment store (caller
    holds the write transaction and commits). Raises ValidationFailed."""
    from workflows.services import attachments

    if slot not in SLOTS:
        _refuse("未知的材料类型。", "slot")
    name = (filename or "").strip()
    if not name:
        _refuse("请选择文件。")
    if ".." in name or any(ch in _FORBIDDEN or ord(ch) < 32 for ch in name) or len(name) > 200:
        _refuse("文件名含有路径或非法字符，请改名后上传。")
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = stream.read(limit + 1)
    ext, mime = attachments.validate(name, data, allowed=ALLOWED)
    return attachments.store_version(application_id, slot, stage, name, data, ext, mime, user_id, now)


def listing(application_id: int) -> list:
    """Every version of every slot, newest first within a slot."""
    from workflows.services import attachments

    return attachments.listing(application_id)


def path_of(attachment) -> str:
    path = os.path.join(current_app.config["UPLOAD_DIR"], attachment.stored_name)
    if not os.path.exists(path):
        raise NotFound("文件不存在。")
    return path
