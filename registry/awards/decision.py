"""The document that ends a round: the city government's 审定 (临海) or the higher body's decision on the county's
recommendations (台州, provincial, national). Its 文号 and date are checked the same way, and each entry that won
becomes an Honour of the kind it won, here and only here."""
from __future__ import annotations

from datetime import date, datetime

from registry.awards.models import AwardEntry, AwardRound
from registry.clock import local_date
from registry.extensions import db
from registry.models import Honour
from registry.text import clean, one_line


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


def grant(found: AwardRound, entry: AwardEntry, kind: str, number: str, decided_on: date) -> Honour:
    """The Honour of ``kind`` on the entry's enterprise at the round's level, from the decision (no commit)."""
    honour = Honour(enterprise_id=entry.enterprise_id, honour_type=kind, level=found.level, year=found.year,
                    awarded_on=decided_on, title=f"{found.name}（{number}）", issuer=found.issuer,
                    source_application_id=entry.application_id)
    db.session.add(honour)
    db.session.flush()
    entry.honour_id, entry.outcome = honour.id, "won"
    return honour
