"""Award attachments (自评报告, 证明材料, 盖章扫描件): allow-listed by extension AND content, size-limited, stored
under generated names outside static, versioned per slot in the workflow's ``attachments`` table.

Accepted: PDF, JPEG, PNG (what a report or a stamped scan is). The content is sniffed with ``filetype``: an HTML
page renamed to .pdf is refused. Downloads go through ``readable`` (scoped like the application itself).
"""
from __future__ import annotations

import hashlib
import os
import uuid
from datetime import datetime
from typing import BinaryIO

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from registry.extensions import db
from registry.services.errors import NotFound, ValidationFailed

ALLOWED = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
SLOTS = {"report": _l("自评报告"), "evidence": _l("证明材料"), "stamped_application_form": _l("申报表（盖章）"),
         "stamped_recommendation": _l("推荐意见表（盖章）"), "stamped_review_opinion": _l("审核意见表（盖章）")}
_FORBIDDEN = set('/\\:*?"<>|\x00')


def _refuse(message: str, field: str = "file"):
    raise ValidationFailed({field: [message]})


def store(application_id: int, slot: str, stage: str, filename: str | None, stream: BinaryIO, user_id: int,
          now: datetime):
    """Check and save an upload as the next version of ``slot`` (caller commits). Raises ValidationFailed."""
    from workflows.models import Attachment

    if slot not in SLOTS:
        _refuse("未知的材料类型。", "slot")
    name = (filename or "").strip()
    if not name:
        _refuse("请选择文件。")
    if ".." in name or any(ch in _FORBIDDEN or ord(ch) < 32 for ch in name) or len(name) > 200:
        _refuse("文件名含有路径或非法字符，请改名后上传。")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        _refuse("只接受 PDF、JPG、PNG 文件。")
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = stream.read(limit + 1)
    if not data:
        _refuse("上传的文件是空的。")
    if len(data) > limit:
        _refuse(f"文件不能超过 {limit // (1024 * 1024)} MB。")
    kind = filetype.guess(data)
    if kind is None or kind.mime != ALLOWED[ext]:
        _refuse("文件内容与扩展名不符（只接受真实的 PDF、JPG、PNG）。")
    folder = current_app.config["UPLOAD_DIR"]
    os.makedirs(folder, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.{ext}"
    with open(os.path.join(folder, stored), "wb") as fh:
        fh.write(data)
    version = (db.session.scalar(select(func.max(Attachment.version)).where(
        Attachment.application_id == application_id, Attachment.slot == slot)) or 0) + 1
    row = Attachment(application_id=application_id, slot=slot, version=version, stage=stage, original_name=name,
                     stored_name=stored, content_type=ALLOWED[ext], size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user_id, uploaded_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def listing(application_id: int) -> list:
    """Every version of every slot, newest first within a slot."""
    from workflows.models import Attachment

    return list(db.session.scalars(select(Attachment).where(Attachment.application_id == application_id)
                                   .order_by(Attachment.slot, Attachment.version.desc())))


def path_of(attachment) -> str:
    path = os.path.join(current_app.config["UPLOAD_DIR"], attachment.stored_name)
    if not os.path.exists(path):
        raise NotFound("文件不存在。")
    return path
