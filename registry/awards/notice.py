"""Public notice (公示): the window, named objections, and finalisation into Honours when it closes clear.

An open objection holds finalisation; the bureau upholds (the entry leaves the list) or dismisses it. A beat
job (``awards.close_notices``) finalises every round whose window has closed with no objection open.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select, update

from registry.awards import progress
from registry.awards.access import get_round, require_bureau
from registry.awards.models import AwardEntry, AwardRound, Objection
from registry.clock import LOCAL_TZ, local_date, parse_now
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import Honour, User
from registry.services.errors import Conflict, NotFound, ValidationFailed
from workflows.calendar import add_working_days


def window_end(start: datetime, days: int, working_days: bool) -> datetime:
    """End of the notice window: the end (local time) of the ``days``-th calendar or working day after ``start``'s day
    (working days as every deadline counts them: ``workflows.calendar``, with the bureau's holiday entries)."""
    first = local_date(start)
    last = add_working_days(first, days) if working_days else first + timedelta(days=days)
    # Stored in UTC: SQLite keeps no offset, and every reader treats a naive time as UTC (registry.clock).
    return datetime.combine(last, time(23, 59, 59), LOCAL_TZ).astimezone(timezone.utc)


def publish(round_id: int, actor: User, now: datetime) -> AwardRound:
    """Publish the committee's list: the round enters notice until ``window_end``. Refused while the call is open
    or an entry is still under review (the message says what is left). Raises Forbidden, Conflict."""
    require_bureau(actor)
    begin_write()
    found = get_round(round_id)
    if found.status != "reviewing":
        raise Conflict("请先完成审议再发布公示。")
    progress.require_ready(found, local_date(now), "发布公示")
    if not db.session.scalar(select(func.count(AwardEntry.id)).where(
            AwardEntry.round_id == round_id, AwardEntry.proposed.is_not(None))):
        raise Conflict("审议结果中没有拟表彰对象。")
    set_actor(db.session, actor.id)
    found.status = "notice"
    found.notice_starts_at = now
    found.notice_ends_at = window_end(now, found.notice_days, found.notice_working_days)
    db.session.commit()
    return found


def file_objection(round_id: int, user: User, text: str, now: datetime, *, entry_id: int | None = None,
                   contact: str | None = None) -> Objection:
    """A signed-in person files a named objection during the window. Raises NotFound, ValidationFailed."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValidationFailed({"text": ["请登录后实名提出异议。"]})
    found = get_round(round_id)
    if found.status != "notice" or parse_now(now) > parse_now(found.notice_ends_at):
        raise ValidationFailed({"text": ["不在公示期内，不能提出异议。"]})
    if not (text or "").strip() or len(text) > 4000:
        raise ValidationFailed({"text": ["请填写异议内容（不超过 4000 字）。"]})
    if entry_id is not None and db.session.scalar(select(AwardEntry.id).where(
            AwardEntry.id == entry_id, AwardEntry.round_id == round_id, AwardEntry.proposed.is_not(None))) is None:
        raise NotFound("公示名单中没有该企业。")
    begin_write()
    row = Objection(round_id=round_id, entry_id=entry_id, filed_by_id=user.id, filer_name=user.display_name,
                    contact=(contact or "").strip() or None, text=text.strip(), created_at=now)
    db.session.add(row)
    db.session.commit()
    return row


def decide_objection(objection_id: int, actor: User, upheld: bool, reason: str, now: datetime) -> Objection:
    """The bureau upholds (the entry leaves the list) or dismisses an objection, with a reason. If the window has
    closed and nothing else is open, the round finalises at once. Raises Forbidden, NotFound, ValidationFailed."""
    require_bureau(actor)
    if not (reason or "").strip():
        raise ValidationFailed({"reason": ["请填写处理意见。"]})
    begin_write()
    row = db.session.get(Objection, objection_id)
    if row is None:
        raise NotFound("未找到该异议。")
    if row.status != "open":
        raise Conflict("该异议已处理。")
    set_actor(db.session, actor.id)
    row.status = "upheld" if upheld else "dismissed"
    row.decided_by_id, row.decided_at, row.decision_reason = actor.id, now, reason.strip()
    if upheld and row.entry_id:
        entry = db.session.get(AwardEntry, row.entry_id)
        entry.excluded_reason = f"异议成立：{reason.strip()}"
    db.session.commit()
    close_notices(now, round_id=row.round_id)
    return row


def open_objections(round_id: int) -> int:
    return db.session.scalar(select(func.count(Objection.id)).where(
        Objection.round_id == round_id, Objection.status == "open")) or 0


def close_notices(now: datetime, round_id: int | None = None) -> list[int]:
    """Finalise every round whose notice window has closed with no open objection. Idempotent (a round moves
    notice -> finalised once, by compare-and-set). Returns the finalised round ids."""
    query = select(AwardRound.id).where(AwardRound.status == "notice", AwardRound.notice_ends_at <= now)
    if round_id is not None:
        query = query.where(AwardRound.id == round_id)
    done = []
    for rid in db.session.scalars(query).all():
        if open_objections(rid) == 0 and finalise(rid, now):
            done.append(rid)
    db.session.commit()
    return done


def finalise(round_id: int, now: datetime) -> bool:
    """Create the Honour on each remaining proposed entry's record and close the round. False if another
    process finalised it first or an objection is open. Commits."""
    begin_write()
    if open_objections(round_id):
        return False
    won = db.session.execute(update(AwardRound).where(
        AwardRound.id == round_id, AwardRound.status == "notice").values(status="finalised", finalised_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if won != 1:
        db.session.rollback()
        return False
    found = db.session.get(AwardRound, round_id)
    db.session.refresh(found)
    set_actor(db.session, None, f"{found.name}公示期满，系统确认表彰")
    for entry in db.session.scalars(select(AwardEntry).where(
            AwardEntry.round_id == round_id, AwardEntry.proposed.is_not(None),
            AwardEntry.excluded_reason.is_(None), AwardEntry.honour_id.is_(None))).all():
        honour = Honour(enterprise_id=entry.enterprise_id, honour_type=entry.proposed, level=found.level,
                        year=found.year, awarded_on=local_date(now), title=found.name, issuer=found.issuer,
                        source_application_id=entry.application_id)
        db.session.add(honour)
        db.session.flush()
        entry.honour_id = honour.id
    db.session.commit()
    return True
