"""The development mail sink (开发用邮件收件箱): with ``MAIL_SINK`` on (the development profile, so ``make demo``), an
e-mail is written as an .eml file under ``INSTANCE_DIR/mail`` instead of going to an SMTP server, and the
administration's 开发邮箱 page lists and shows them. Production never turns it on (config refuses it there).

One file per outbox effect: a retried delivery rewrites the same file, so nothing arrives twice.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from flask import current_app

from registry import clock
from registry.services.errors import NotFound

_NAME = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{12}\.eml$")


def enabled() -> bool:
    return bool(current_app.config.get("MAIL_SINK"))


def directory() -> str:
    return os.path.join(current_app.config["INSTANCE_DIR"], "mail")


def deliver(message: EmailMessage, effect_key: str) -> str:
    """Write ``message`` as an .eml file (atomically); the same ``effect_key`` keeps its one file. Returns the name."""
    folder = directory()
    os.makedirs(folder, exist_ok=True)
    digest = hashlib.sha256(effect_key.encode("utf-8")).hexdigest()[:12]
    existing = [n for n in os.listdir(folder) if n.endswith(f"-{digest}.eml")]
    name = existing[0] if existing else f"{clock.now():%Y%m%dT%H%M%S}-{digest}.eml"
    temporary = os.path.join(folder, f".{name}.tmp")
    with open(temporary, "wb") as out:
        out.write(message.as_bytes(policy=policy.SMTP))
    os.replace(temporary, os.path.join(folder, name))
    return name


@dataclass(frozen=True)
class Letter:
    name: str
    subject: str
    to: str
    sent_at: datetime
    body: str


def _read(path: str, name: str) -> Letter:
    with open(path, "rb") as source:
        message = BytesParser(policy=policy.default).parse(source)
    part = message.get_body(preferencelist=("plain",))
    return Letter(name=name, subject=str(message["Subject"] or ""), to=str(message["To"] or ""),
                  sent_at=datetime.fromtimestamp(os.path.getmtime(path), timezone.utc),
                  body=part.get_content() if part is not None else "")


def letters(limit: int = 200) -> list[Letter]:
    """The newest letters first (at most ``limit``)."""
    folder = directory()
    if not os.path.isdir(folder):
        return []
    names = sorted((n for n in os.listdir(folder) if _NAME.match(n)), reverse=True)[:limit]
    return [_read(os.path.join(folder, n), n) for n in names]


def letter(name: str) -> Letter:
    """One letter by file name; NotFound for anything that is not a sink file."""
    path = os.path.join(directory(), name)
    if not _NAME.match(name or "") or not os.path.isfile(path):
        raise NotFound("未找到该邮件。")
    return _read(path, name)
