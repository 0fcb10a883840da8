"""The outcome of a round that recommends upward (台州, provincial, national award): the county's committee chose,
the notice closed clear, the list went up; when the higher body decides, the bureau records, in the 审定 step, each
recommended entry's result (won, and which kind, or not won) with that body's 文号 and date. Only an entry recorded
as won gets an Honour (``decision.grant``); the round is then finalised and its applications follow."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from registry.awards import decision, kinds
from registry.awards.models import AwardEntry, AwardRound
from registry.extensions import db
from registry.models import User
from registry.services.errors import ValidationFailed
from registry.vocab import HONOUR_TYPES

NOT_WON = "not_won"


def recommended(round_id: int) -> list[AwardEntry]:
    """The entries the county recommended and no upheld objection took off, in rank order."""
    return list(db.session.scalars(select(AwardEntry).where(
        AwardEntry.round_id == round_id, AwardEntry.proposed.is_not(None), AwardEntry.excluded_reason.is_(None))
        .order_by(AwardEntry.rank, AwardEntry.id)))


def choices(found: AwardRound, entry: AwardEntry) -> list[str]:
    """What an entry's result may be: a kind of the level it may be granted (the higher body may give the 提名奖 to
    an entry recommended for the award), or not won."""
    return [k for k in kinds.level_kinds(found.level) if kinds.may_grant(entry.kind, k)] + [NOT_WON]


def record(round_id: int, actor: User, results: dict[int, str | None], *, number: str, decided_on: date,
           now: datetime) -> AwardRound:
    """Record the higher body's decision: ``results`` maps each recommended entry's id to the kind it won or
    ``NOT_WON``; ``number`` and ``decided_on`` are that body's 文号 and date. Creates an Honour for each entry that
    won, marks the others not won, and finalises the round. Refused for a round that decides its own award, while
    an objection is open, before the notice has closed, and unless every recommended entry has a result it may have.
    Raises Forbidden, NotFound, Conflict, ValidationFailed. Commits."""
    found = decision.ready(round_id, actor, kinds.RECOMMEND)
    number, errors = decision.check(found, number, decided_on, now)
    entries = recommended(round_id)
    for entry in entries:
        result = results.get(entry.id)
        if not result:
            errors[f"outcome_{entry.id}"] = [f"请登记{entry.enterprise.name}的评定结果。"]
        elif result not in choices(found, entry):
            given = f"登记为{HONOUR_TYPES.label(result)}" if result in HONOUR_TYPES else "登记这一结果"  # never echoed
            errors[f"outcome_{entry.id}"] = [f"{entry.enterprise.name}推荐申报的是{HONOUR_TYPES.label(entry.kind)}，"
                                             f"不能{given}。"]
    if errors:
        raise ValidationFailed(errors)
    decision.finalise(found, actor, number, decided_on, now, f"{found.name}评定结果（{number}）")
    for entry in entries:
        if results[entry.id] == NOT_WON:
            entry.outcome = NOT_WON
        elif entry.honour_id is None:
            decision.grant(found, entry, results[entry.id], number, decided_on)
    db.session.commit()
    return found
