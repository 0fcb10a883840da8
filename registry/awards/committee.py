"""Committee deliberation (审议): the ranking of reviewed, eligible entries and the decision within the quota."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from registry.awards import progress
from registry.awards.access import get_round, require_bureau
from registry.awards.models import AWARD_TYPES, AwardEntry
from registry.clock import local_date
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import User
from registry.services.errors import Conflict, ValidationFailed


def ranking(round_id: int) -> list[AwardEntry]:
    """Eligible entries with a final score, best first (ties: site score, then document score, then earliest)."""
    entries = db.session.scalars(select(AwardEntry).where(
        AwardEntry.round_id == round_id, AwardEntry.eligibility_decision == "eligible",
        AwardEntry.final_score.is_not(None))).all()

    def key(e: AwardEntry):
        scores = e.review_scores or {}
        return (-e.final_score, -(scores.get("site") or 0), -(scores.get("document") or 0), e.id)

    return sorted(entries, key=key)


def suggestion(round_id: int) -> dict[int, str | None]:
    """The default proposal: the top places by rank get the award, the next ones the nomination prize."""
    found = get_round(round_id)
    out: dict[int, str | None] = {}
    places = [t for t in AWARD_TYPES for _ in range(int(found.quotas.get(t) or 0))]
    for i, entry in enumerate(ranking(round_id)):
        out[entry.id] = places[i] if i < len(places) else None
    return out


def decide(round_id: int, actor: User, decisions: dict[int, str | None], now: datetime) -> list[AwardEntry]:
    """Record the committee's proposal (entry id -> award type or None) with the ranks. Refuses entries not
    ranked, unknown types and any type over its quota; refused while the call is open or an entry is still under
    review (the message says what is left), and once the notice is published.
    Raises Forbidden, Conflict, ValidationFailed. Commits."""
    require_bureau(actor)
    begin_write()
    found = get_round(round_id)
    if found.status not in ("open", "reviewing"):
        raise Conflict("公示已发布，不能再修改审议结果。")
    progress.require_ready(found, local_date(now), "审议")
    ranked = ranking(round_id)
    ids = {e.id for e in ranked}
    errors: dict[str, list[str]] = {}
    for entry_id, kind in decisions.items():
        if entry_id not in ids:
            errors[f"entry_{entry_id}"] = ["该申报未完成评审或资格审查，不能列入。"]
        elif kind and kind not in found.award_types:
            errors[f"entry_{entry_id}"] = ["本批次不设该奖项。"]
    for kind in found.award_types:
        chosen = sum(1 for k in decisions.values() if k == kind)
        if chosen > int(found.quotas.get(kind) or 0):
            errors[f"quota_{kind}"] = [f"超出名额：名额 {found.quotas.get(kind) or 0} 个，已选 {chosen} 个。"]
    if errors:
        raise ValidationFailed(errors)
    set_actor(db.session, actor.id)
    for rank, entry in enumerate(ranked, start=1):
        entry.rank = rank
        entry.proposed = decisions.get(entry.id) or None
    found.status = "reviewing"
    db.session.commit()
    return ranked


def proposed(round_id: int) -> list[AwardEntry]:
    """The proposed list in rank order (those taken off by an upheld objection included, marked)."""
    return list(db.session.scalars(select(AwardEntry).where(
        AwardEntry.round_id == round_id, AwardEntry.proposed.is_not(None)).order_by(AwardEntry.rank)))
