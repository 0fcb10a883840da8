"""What each upload form accepts, said the same way on every form and on the 413 page: the file types (from the
area's own ALLOWED table, which the server enforces) and the size limit (UPLOAD_MAX_BYTES / MAX_CONTENT_LENGTH)."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext as _


def _allowed(kind: str) -> list[str]:
    if kind == "workflow":
        from workflows.services.attachments import ALLOWED
    elif kind == "award":
        from registry.awards.files import ALLOWED
    elif kind == "objection":
        from registry.awards.objections import FILE_TYPES as ALLOWED  # noqa: N811
    elif kind == "targets":
        from registry.targets.catalogue import ATTACHMENT_TYPES as ALLOWED  # noqa: N811
    elif kind == "xlsx":
        ALLOWED = {"xlsx": None}  # noqa: N806
    else:
        raise KeyError(kind)
    return list(dict.fromkeys("jpg" if ext == "jpeg" else ext for ext in ALLOWED))


def limit_bytes() -> int:
    """The smaller of the request limit and the per-file limit."""
    limits = [current_app.config.get("MAX_CONTENT_LENGTH"), current_app.config.get("UPLOAD_MAX_BYTES")]
    return min(int(v) for v in limits if v)


def limit_text() -> str:
    """The limit as people read it: 20 MB (or 64 KB below a megabyte)."""
    size = limit_bytes()
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def accept(kind: str) -> str:
    """The ``accept`` attribute of a file input of this kind."""
    exts = _allowed(kind)
    return ",".join(f".{e}" for e in exts + (["jpeg"] if "jpg" in exts else []))


def describe(kind: str) -> str:
    """允许的类型：PDF、JPG、PNG；单个文件不超过 20 MB。"""
    return _("允许的类型：%(kinds)s；单个文件不超过 %(limit)s。",
             kinds="、".join(e.upper() for e in _allowed(kind)), limit=limit_text())


def register(app: Flask) -> None:
    app.jinja_env.globals.update(upload_rule=describe, upload_accept=accept)
