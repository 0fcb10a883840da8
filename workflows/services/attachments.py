"""Attachments: allow-listed by extension AND content (``filetype`` magic bytes), size-limited, stored under a
generated name in UPLOAD_DIR, versioned per slot, readable only by those who may see the application."""
from __future__ import annotations

import hashlib
import io
import os
import secrets
import zipfile

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from registry.database import begin_write
from registry.extensions import db
from registry.files import write_atomically
from registry.models import User
from registry.services.errors import NotFound, ValidationFailed
from registry.text import one_line
from registry import policy
from workflows.models import Application, Attachment
from workflows.services import applications

# extension -> the MIME type its content must have
ALLOWED = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SLOTS = {"self_assessment": _l("自评价报告"), "evidence": _l("证明材料"), "stamped_form": _l("盖章扫描件"),
         "test_report": _l("检验报告"), "acceptance_notice": _l("认证受理通知"), "audit_report": _l("工厂审核报告"),
         "certificate": _l("认证证书"), "surveillance_report": _l("监督审核报告")}
MAX_UNZIPPED = 100 * 1024 * 1024


def _check_archive(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ValidationFailed({"file": ["文件已损坏。"]}) from None
    if total > MAX_UNZIPPED or total > 100 * max(len(content), 1):
        raise ValidationFailed({"file": ["文件解压后过大，已拒收。"]})


def validate(filename: str, content: bytes, allowed: dict[str, str] = ALLOWED) -> tuple[str, str]:
    """(extension, MIME) when the file is acceptable; ValidationFailed naming ``file`` otherwise. ``allowed`` maps
    extension to the MIME type the content must have (an area may accept fewer kinds)."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        kinds = "、".join(dict.fromkeys(e.upper().replace("JPEG", "JPG") for e in allowed))
        raise ValidationFailed({"file": [f"只接受 {kinds} 文件。"]})
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if not content or len(content) > limit:
        raise ValidationFailed({"file": [f"文件为空或超过 {limit // (1024 * 1024)} MB。"]})
    kind = filetype.guess(content)
    if kind is None or kind.mime != allowed[ext]:
        raise ValidationFailed({"file": ["文件内容与扩展名不符，已拒收。"]})
    if ext in ("docx", "xlsx"):
        _check_archive(content)
    return ext, allowed[ext]


def store_version(application_id: int, slot: str, stage: str, filename: str, content: bytes, ext: str, mime: str,
                  user_id: int, now=None) -> Attachment:
    """Write a checked file under a generated name and add it as the next version of ``slot`` (flushed; the
    caller holds the write transaction and commits)."""
    stored = f"{secrets.token_hex(16)}.{ext}"
    # the file first, all or nothing (a full disk: StorageFull, nothing left behind), the row after it
    write_atomically(os.path.join(current_app.config["UPLOAD_DIR"], stored), content)
    version = (db.session.scalar(select(func.max(Attachment.version)).where(
        Attachment.application_id == application_id, Attachment.slot == slot)) or 0) + 1
    name = one_line(os.path.basename(filename.replace("\\", "/")), 200) or f"file.{ext}"
    row = Attachment(application_id=application_id, slot=slot, version=version, stage=stage,
                     original_name=name, stored_name=stored,
                     content_type=mime, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                     uploaded_by_id=user_id)
    if now is not None:
        row.uploaded_at = now
    db.session.add(row)
    db.session.flush()
    return row


def upload(user: User, application_id: int, slot: str, filename: str, content: bytes) -> Attachment:
    """Store a new version of ``slot`` on the application; commit. Raises NotFound, Forbidden, ValidationFailed."""
    application = applications.get(user, application_id)
    if slot not in SLOTS:
        raise ValidationFailed({"slot": ["未知的附件类别。"]})
    policy.check(user, "application.upload", application)
    ext, mime = validate(filename, content)
    begin_write()
    row = store_version(application_id, slot, application.stage, filename, content, ext, mime, user.id)
    db.session.commit()
    return row


def listing(application_id: int) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.application_id == application_id)
                                   .order_by(Attachment.slot, Attachment.version.desc())))


def for_download(user: User, attachment_id: int) -> tuple[Attachment, str]:
    """(row, path on disk) if the user may see its application; NotFound otherwise."""
    row = db.session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound("未找到该附件。")
    application = db.session.get(Application, row.application_id)
    if application is None or not policy.can(user, "application.view", application):
        raise NotFound("未找到该附件。")
    return row, os.path.join(current_app.config["UPLOAD_DIR"], row.stored_name)
