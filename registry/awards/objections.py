"""Objections during public notice (公示异议): filed by anyone under their real name on the public page (no account),
or received on paper and entered by the bureau; each is investigated (调查核实) and answered. An open objection
holds the round: the notice does not close into 审定 while one is open (``notice.close_notices``).

Text from outside is cleaned of control characters here (names, phones, the objection), and an optional file is
allow-listed by extension and content and stored under a generated name outside static.
"""
from __future__ import annotations

import os
import re
import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select

from registry.awards.access import get_round, require_bureau
from registry.awards.models import AwardEntry, Objection
from registry.clock import local_date, parse_now
from registry.database import begin_write
from registry.extensions import db
from registry.files import write_atomically
from registry.history import set_actor
from registry.models import User
from registry.services.errors import Conflict, NotFound, ValidationFailed
from registry.text import clean, one_line

# A mainland mobile (11 digits from 1) or a landline with its area code (0576-85123456), spaces and hyphens allowed.
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")
FILE_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}
MAX_TEXT = 4000


def _filer(name: str | None, phone: str | None, text: str | None) -> tuple[str, str, str]:
    """(name, phone, text) cleaned; ValidationFailed naming each bad field."""
    name = clean(name or "").strip()
    phone = re.sub(r"[\s]", "", clean(phone or ""))
    text = clean(text or "", multiline=True).strip()
    errors: dict[str, list[str]] = {}
    if not 2 <= len(name) <= 64:
        errors["name"] = ["请填写真实姓名（2 至 64 个字）。"]
    if not _PHONE.match(phone):
        errors["phone"] = ["请填写有效的手机号码或带区号的固定电话。"]
    if not text:
        errors["text"] = ["请填写异议内容。"]
    elif len(text) > MAX_TEXT:
        errors["text"] = [f"异议内容不超过 {MAX_TEXT} 字。"]
    if errors:
        raise ValidationFailed(errors)
    return name, phone, text


def _listed_entry(round_id: int, entry_id: int | None) -> int | None:
    """The entry objected to (None: the list as a whole); NotFound unless it is on this round's proposed list."""
    if not entry_id:
        return None
    found = db.session.scalar(select(AwardEntry.id).where(
        AwardEntry.id == entry_id, AwardEntry.round_id == round_id, AwardEntry.proposed.is_not(None)))
    if found is None:
        raise NotFound("公示名单中没有该企业。")
    return found


def targets(round_id: int) -> list[tuple[int, str]]:
    """What an objection may be about, as form choices: the list as a whole (0) or one enterprise still on it,
    with the kind proposed (the public page and the bureau's paper form offer the same)."""
    from flask_babel import gettext as _

    from registry.awards.committee import proposed
    from registry.awards.display import AWARD_TYPE_LABELS

    return [(0, _("（整体名单）"))] + [(e.id, f"{e.enterprise.name}（{_(AWARD_TYPE_LABELS.label(e.proposed))}）")
                                     for e in proposed(round_id) if not e.excluded_reason]


def _store_file(upload: tuple[str, bytes] | None) -> tuple[str | None, str | None, str | None]:
    """(original name, stored name, MIME) of an optional file; ValidationFailed naming ``file``."""
    if not upload or not upload[0]:
        return None, None, None
    from workflows.services.attachments import validate

    filename, content = upload
    if len(content) > int(current_app.config["UPLOAD_MAX_BYTES"]):
        raise ValidationFailed({"file": ["文件过大。"]})
    ext, mime = validate(filename, content, allowed=FILE_TYPES)
    stored = f"objection-{secrets.token_hex(16)}.{ext}"
    write_atomically(os.path.join(current_app.config["UPLOAD_DIR"], stored), content)
    return one_line(os.path.basename(filename.replace("\\", "/")), 200) or f"file.{ext}", stored, mime


def file_public(round_id: int, *, name: str, phone: str, text: str, now: datetime, entry_id: int | None = None,
                upload: tuple[str, bytes] | None = None, user: User | None = None) -> Objection:
    """Anyone files a named objection while the window is open (no account needed; a signed-in person's account is
    noted). Raises NotFound (no such round or listed entry), ValidationFailed (outside the window, bad field)."""
    found = get_round(round_id)
    if found.status != "notice" or parse_now(now) > parse_now(found.notice_ends_at):
        raise ValidationFailed({"text": ["不在公示期内，不能提出异议。"]})
    name, phone, text = _filer(name, phone, text)
    entry_id = _listed_entry(round_id, entry_id)
    file_name, stored, mime = _store_file(upload)
    begin_write()
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    set_actor(db.session, user.id if signed_in else None, "公示异议（网上实名提交）")
    row = Objection(round_id=round_id, entry_id=entry_id, filed_by_id=user.id if signed_in else None,
                    filer_name=name, phone=phone, text=text, source="online", file_name=file_name,
                    stored_name=stored, content_type=mime, created_at=now)
    db.session.add(row)
    db.session.commit()
    return row


def enter_paper(round_id: int, actor: User, *, name: str, phone: str, text: str, received_on: date, now: datetime,
                entry_id: int | None = None, upload: tuple[str, bytes] | None = None) -> Objection:
    """The bureau enters an objection received on paper (a letter or a form at the counter), with the day it was
    received, which must fall within the window. Raises Forbidden, NotFound, Conflict (round not in notice or
    awaiting 审定), ValidationFailed."""
    require_bureau(actor)
    found = get_round(round_id)
    if found.status not in ("notice", "approval"):
        raise Conflict("只能登记公示期内收到的书面异议。")
    name, phone, text = _filer(name, phone, text)
    first, last = local_date(found.notice_starts_at), local_date(found.notice_ends_at)
    if received_on is None or not first <= received_on <= min(last, local_date(now)):
        raise ValidationFailed({"received_on": [f"收到日期应在公示期内（{first.isoformat()} 至 {last.isoformat()}）。"]})
    entry_id = _listed_entry(round_id, entry_id)
    file_name, stored, mime = _store_file(upload)
    begin_write()
    set_actor(db.session, actor.id, "登记书面异议")
    row = Objection(round_id=round_id, entry_id=entry_id, filer_name=name, phone=phone, text=text, source="paper",
                    received_on=received_on, recorded_by_id=actor.id, file_name=file_name, stored_name=stored,
                    content_type=mime, created_at=now)
    if found.status == "approval":  # the round waited for 审定 with nothing open: it is held again
        found.status, found.notice_closed_at = "notice", None
    db.session.add(row)
    db.session.commit()
    return row


def decide(objection_id: int, actor: User, *, upheld: bool, investigation: str, answer: str,
           now: datetime) -> Objection:
    """Record the investigation (调查核实) and the answer to the objector; upheld takes the entry off the list. When
    the window has closed and nothing else is open, the round goes on to 审定 at once.
    Raises Forbidden, NotFound, Conflict (already answered), ValidationFailed (investigation or answer missing)."""
    require_bureau(actor)
    investigation = clean(investigation or "", multiline=True).strip()
    answer = clean(answer or "", multiline=True).strip()
    errors = {}
    if not investigation:
        errors["investigation"] = ["请填写调查核实情况。"]
    if not answer:
        errors["reason"] = ["请填写答复意见。"]
    if errors:
        raise ValidationFailed(errors)
    begin_write()
    row = db.session.get(Objection, objection_id)
    if row is None:
        raise NotFound("未找到该异议。")
    if row.status != "open":
        raise Conflict("该异议已处理。")
    set_actor(db.session, actor.id, "异议调查核实与答复")
    row.status = "upheld" if upheld else "dismissed"
    row.investigation = investigation[:MAX_TEXT]
    row.decided_by_id, row.decided_at, row.decision_reason = actor.id, now, answer[:2000]
    if upheld and row.entry_id:
        entry = db.session.get(AwardEntry, row.entry_id)
        entry.excluded_reason = f"异议成立：{answer[:2000]}"
    db.session.commit()
    from registry.awards.notice import close_notices

    close_notices(now, round_id=row.round_id)  # the window may have closed meanwhile: nothing else open, 审定 next
    return row


def open_count(round_id: int) -> int:
    return db.session.scalar(select(func.count(Objection.id)).where(
        Objection.round_id == round_id, Objection.status == "open")) or 0


def file_path(objection: Objection) -> str:
    """Where the objection's file is; NotFound when it has none or it is gone."""
    if not objection.stored_name:
        raise NotFound("该异议没有附件。")
    path = os.path.join(current_app.config["UPLOAD_DIR"], objection.stored_name)
    if not os.path.exists(path):
        raise NotFound("文件不存在。")
    return path
