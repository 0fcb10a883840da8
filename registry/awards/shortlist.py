"""The shortlist after the document review (入围): only entries at or above the round's minimum document score, at
most the round's maximum count, go on to 陈述答辩 / 现场评审; the others are told and closed by the workflow
(``quality_award`` v2, stage ``shortlist``). The bureau confirms the list once no entry is still before it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from registry.awards.access import get_round, require_bureau
from registry.awards.models import AwardEntry, AwardRound
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import User
from registry.services.errors import Conflict, ValidationFailed

BEFORE = ("recommend", "eligibility", "document_review")  # stages an entry may still be at before the shortlist
LIVE = ("in_progress", "returned")


def document_score(entry: AwardEntry) -> float | None:
    return (entry.review_scores or {}).get("document")


def _applications(entries: list[AwardEntry]) -> dict:
    from workflows.models import Application

    ids = [e.application_id for e in entries if e.application_id]
    return {a.id: a for a in db.session.scalars(select(Application).where(Application.id.in_(ids)))} if ids else {}


def candidates(round_id: int) -> list[AwardEntry]:
    """Eligible entries with a document score whose application is still open, best document score first."""
    entries = list(db.session.scalars(select(AwardEntry).where(
        AwardEntry.round_id == round_id, AwardEntry.eligibility_decision == "eligible")))
    apps = _applications(entries)
    live = [e for e in entries if document_score(e) is not None
            and (e.application_id is None or apps[e.application_id].status in LIVE)]
    return sorted(live, key=lambda e: (-document_score(e), e.id))


def pending(round_id: int) -> int:
    """Entries still before the shortlist (recommendation, eligibility, document review): the list waits for them."""
    entries = list(db.session.scalars(select(AwardEntry).where(AwardEntry.round_id == round_id)))
    apps = _applications(entries)
    return sum(1 for e in entries if e.application_id and apps[e.application_id].stage in BEFORE
               and apps[e.application_id].status in LIVE)


def qualifies(found: AwardRound, entry: AwardEntry) -> bool:
    return found.shortlist_min_score is None or document_score(entry) >= found.shortlist_min_score


def suggestion(round_id: int) -> set[int]:
    """The default: every candidate at or above the minimum, best first, up to the maximum count."""
    found = get_round(round_id)
    chosen = [e.id for e in candidates(round_id) if qualifies(found, e)]
    return set(chosen if found.shortlist_max is None else chosen[:found.shortlist_max])


def decide(round_id: int, actor: User, chosen: set[int], now: datetime) -> list[AwardEntry]:
    """Confirm the shortlist: ``chosen`` go on, every other candidate is marked not shortlisted (the workflow then
    closes it and tells the applicant). Refused while an entry is still before the shortlist, for an entry below the
    minimum score or not a candidate, above the maximum count, and once confirmed.
    Raises Forbidden, NotFound, Conflict, ValidationFailed. Commits (the caller advances the applications)."""
    require_bureau(actor)
    found = get_round(round_id)
    if found.shortlisted_at is not None:
        raise Conflict("入围名单已确定，不能修改。")
    if found.status not in ("open", "reviewing"):
        raise Conflict("该批次已进入公示，不能确定入围名单。")
    waiting = pending(round_id)
    if waiting:
        raise Conflict(f"尚有 {waiting} 个申报未完成推荐、资格审查或材料评审，完成后才能确定入围名单。")
    pool = {e.id: e for e in candidates(round_id)}
    if not pool:
        raise Conflict("尚无完成材料评审的申报。")
    errors: dict[str, list[str]] = {}
    for entry_id in chosen:
        entry = pool.get(entry_id)
        if entry is None:
            errors[f"entry_{entry_id}"] = ["该申报未完成材料评审，不能入围。"]
        elif not qualifies(found, entry):
            errors[f"entry_{entry_id}"] = [
                f"{entry.enterprise.name}材料评审得分 {document_score(entry)} 低于入围最低分 {found.shortlist_min_score}。"]
    if found.shortlist_max is not None and len(chosen) > found.shortlist_max:
        errors["shortlist_max"] = [f"入围不超过 {found.shortlist_max} 个，已选 {len(chosen)} 个。"]
    if not chosen:
        errors["shortlist"] = ["请至少选择一个入围的申报。"]
    if errors:
        raise ValidationFailed(errors)
    begin_write()
    set_actor(db.session, actor.id, "确定入围名单")
    for entry_id, entry in pool.items():
        entry.shortlisted = entry_id in chosen
    found.shortlisted_at = now
    db.session.commit()
    return [pool[i] for i in pool if i in chosen]


def overview(found: AwardRound) -> dict:
    """The round page's shortlist: candidates best first, how many entries the list still waits for, whether it is
    confirmed, the ticked entries (the confirmed list, else ``suggestion``), and each candidate's score and whether
    it reaches the minimum."""
    rows = candidates(found.id)
    decided = found.shortlisted_at is not None
    return {"rows": rows, "pending": 0 if decided else pending(found.id), "decided": decided,
            "chosen": {e.id for e in rows if e.shortlisted} if decided else suggestion(found.id),
            "qualifies": {e.id: qualifies(found, e) for e in rows},
            "score": {e.id: document_score(e) for e in rows}}
