"""Public notice (公示) and the government's decision (审定): the window; when it has closed with no objection
open (``registry.awards.objections``) the round waits for the city government; the bureau then records the
decision (文号, date) and only then are the Honours created. A beat job (``awards.close_notices``) closes every
round whose window has ended clear.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select, update

from registry.awards import decision, kinds, progress
from registry.awards.access import get_round, require_bureau
from registry.awards.models import AwardEntry, AwardRound
from registry.clock import LOCAL_TZ, local_date, parse_now
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import User
from registry.services.errors import Conflict, ValidationFailed
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


def open_objections(round_id: int) -> int:
    from registry.awards.objections import open_count

    return open_count(round_id)


def close_notices(now: datetime, round_id: int | None = None) -> list[int]:
    """Every round whose notice window has closed with no open objection now waits for the city government's
    decision (notice -> approval, by compare-and-set: idempotent). Returns those round ids, in id order."""
    query = (select(AwardRound.id).where(AwardRound.status == "notice", AwardRound.notice_ends_at <= now)
             .order_by(AwardRound.id))  # in id order: the returned list is the same on every backend
    if round_id is not None:
        query = query.where(AwardRound.id == round_id)
    done = []
    for rid in db.session.scalars(query).all():
        if open_objections(rid) == 0 and _close(rid, now):
            done.append(rid)
    db.session.commit()
    return done


def _close(round_id: int, now: datetime) -> bool:
    begin_write()
    if open_objections(round_id):
        db.session.rollback()
        return False
    won = db.session.execute(update(AwardRound).where(
        AwardRound.id == round_id, AwardRound.status == "notice").values(status="approval", notice_closed_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return won == 1


def approve(round_id: int, actor: User, *, number: str, decided_on: date, now: datetime) -> AwardRound:
    """Record the city government's decision (审定: 文号 and date, from the government's document) and only now
    create the Honour of the proposed kind on each remaining proposed entry's record; the round is finalised.
    Refused while an objection is open, before the notice has closed, and for a round that recommends upward (its
    outcome is recorded by ``outcome.record``). Raises Forbidden, NotFound, Conflict, ValidationFailed."""
    found = decision.ready(round_id, actor, kinds.AWARD)
    number, errors = decision.check(found, number, decided_on, now)
    if errors:
        raise ValidationFailed(errors)
    decision.finalise(found, actor, number, decided_on, now, f"{found.name}审定（{number}）")
    for entry in db.session.scalars(select(AwardEntry).where(
            AwardEntry.round_id == round_id, AwardEntry.proposed.is_not(None),
            AwardEntry.excluded_reason.is_(None), AwardEntry.honour_id.is_(None))).all():
        decision.grant(found, entry, entry.proposed, number, decided_on)
    db.session.commit()
    return found
