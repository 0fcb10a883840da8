"""The document that ends a round: the city government's 审定 (临海) or the higher body's decision on the county's
recommendations (台州, provincial, national). Its 文号 and date are checked the same way, and each entry that won
becomes an Honour of the kind it won, here and only here."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update

from registry.awards import kinds
from registry.awards.access import get_round, require_bureau
from registry.awards.models import AwardEntry, AwardRound
from registry.awards.objections import open_count
from registry.clock import local_date
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import Honour, User
from registry.services.errors import Conflict
from registry.text import clean, one_line

# Per mode: (the other mode's step, to say where to go; what may not be done yet; the state the round must be in).
_REFUSALS = {
    kinds.AWARD: ("该批次为择优推荐上报，请登记上级评定结果。", "审定", "登记审定结果", "该批次不在待审定状态。"),
    kinds.RECOMMEND: ("该批次由本级评选表彰，请登记政府审定结果。", "登记评定结果", "登记评定结果",
                      "该批次不在待登记评定结果状态。"),
}


def ready(round_id: int, actor: User, mode: str) -> AwardRound:
    """The round whose decision of ``mode`` the bureau may record now: a round of that mode, no objection open,
    the notice closed. Raises Forbidden, NotFound, Conflict."""
    wrong_mode, step, recording, not_waiting = _REFUSALS[mode]
    require_bureau(actor)
    found = get_round(round_id)
    if found.mode != mode:
        raise Conflict(wrong_mode)
    if open_count(round_id):
        raise Conflict(f"尚有异议未调查核实和答复，不能{step}。")
    if found.status != "approval":
        raise Conflict(f"公示期满且异议处理完毕后才能{recording}。" if found.status == "notice" else not_waiting)
    return found


def check(found: AwardRound, number: str | None, decided_on: date | None, now: datetime
          ) -> tuple[str, dict[str, list[str]]]:
    """(the cleaned 文号, errors): both required; the date neither before the notice ended nor after today."""
    number = one_line(clean(number or ""), 100)
    errors: dict[str, list[str]] = {}
    if not number:
        errors["number"] = ["请填写审定文件的文号。"]
    if decided_on is None:
        errors["decided_on"] = ["请填写审定日期。"]
    elif found.notice_ends_at is not None and decided_on < local_date(found.notice_ends_at):
        errors["decided_on"] = ["审定日期不能早于公示期结束。"]
    elif decided_on > local_date(now):
        errors["decided_on"] = ["审定日期不能晚于今天。"]
    return number, errors


def finalise(found: AwardRound, actor: User, number: str, decided_on: date, now: datetime, what: str) -> None:
    """Compare-and-set the round from waiting (approval) to finalised with the decision's 文号 and date, and name
    ``what`` was recorded in the change history of the rows written next (no commit). Raises Conflict when someone
    else did it first."""
    begin_write()
    won = db.session.execute(update(AwardRound).where(
        AwardRound.id == found.id, AwardRound.status == "approval").values(
        status="finalised", finalised_at=now, decision_number=number, decision_date=decided_on,
        decision_recorded_by_id=actor.id, decision_recorded_at=now).execution_options(synchronize_session=False)
    ).rowcount == 1
    if not won:
        db.session.rollback()
        raise Conflict("已被他人处理")
    db.session.refresh(found)
    set_actor(db.session, actor.id, what)


def grant(found: AwardRound, entry: AwardEntry, kind: str, number: str, decided_on: date) -> Honour:
    """The Honour of ``kind`` on the entry's enterprise at the round's level, from the decision (no commit)."""
    honour = Honour(enterprise_id=entry.enterprise_id, honour_type=kind, level=found.level, year=found.year,
                    awarded_on=decided_on, title=f"{found.name}（{number}）", issuer=found.issuer,
                    source_application_id=entry.application_id)
    db.session.add(honour)
    db.session.flush()
    entry.honour_id, entry.outcome = honour.id, "won"
    return honour
