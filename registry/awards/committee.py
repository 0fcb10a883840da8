"""Committee deliberation (评审委员会审议): the ranking of reviewed, eligible entries; the members present, their vote
on each entry and the resolution; the proposal within the quota, each proposed entry carried by the vote."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from registry import settings
from registry.awards import kinds, progress
from registry.awards.access import get_round, require_bureau
from registry.awards.models import COMMITTEE_ROLES, AwardEntry, CommitteeMember
from registry.clock import local_date
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import User
from registry.services.errors import Conflict, ValidationFailed
from registry.text import clean
from registry.vocab import HONOUR_TYPES


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
    """The default proposal, per kind applied for: the best entries for the 质量奖 get its places, the next ones the
    提名奖's; those for the 创新奖 or 组织奖 get that kind's places, best first."""
    found = get_round(round_id)
    places = {k: [t for t in kinds.GRANTS[k] for _ in range(int(found.quotas.get(t) or 0))] for k in kinds.GRANTS}
    out: dict[int, str | None] = {}
    for entry in ranking(round_id):
        left = places.get(entry.kind or kinds.QUALITY) or []
        out[entry.id] = left.pop(0) if left else None
    return out


def _members(members: list[dict]) -> tuple[list[CommitteeMember], list[str]]:
    """Committee members present, cleaned, in order; (rows, errors)."""
    rows, errors = [], []
    for i, m in enumerate(members or []):
        name = clean(str(m.get("name") or "")).strip()[:64]
        if not name:
            continue
        role = m.get("role") if m.get("role") in COMMITTEE_ROLES else "member"
        affiliation = clean(str(m.get("affiliation") or "")).strip()[:200] or None
        rows.append(CommitteeMember(position=i + 1, name=name, affiliation=affiliation, role=role))
    minimum = int(settings.get("awards.committee.min_members"))
    if len(rows) < minimum:
        errors.append(f"出席审议的评审委员会委员不少于 {minimum} 人（现 {len(rows)} 人）。")
    if sum(1 for r in rows if r.role == "chair") != 1:
        errors.append("请指定一名主任委员。")
    return rows, errors


def _votes(value) -> tuple[int, int, int] | None:
    try:
        got = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        return None
    return got if len(got) == 3 and all(0 <= v <= 1000 for v in got) else None


def passes(votes_for: int, present: int) -> bool:
    """An entry may be proposed only with votes for from more than ``awards.committee.pass_share`` of those present."""
    return votes_for > float(settings.get("awards.committee.pass_share")) * present


def decide(round_id: int, actor: User, decisions: dict[int, str | None], now: datetime, *, met_on: date | None,
           members: list[dict], votes: dict[int, tuple[int, int, int]], resolution: str) -> list[AwardEntry]:
    """Record the committee's deliberation (评审委员会审议): the meeting day, the members present, each ranked entry's
    vote (for, against, abstain: each member votes once on each entry), the resolution, and the proposal (entry id
    -> award type or None) with the ranks. Refuses entries not ranked, types the round does not award or the entry
    did not apply for (``kinds.may_grant``), any type over its quota and a proposal the vote did not carry; refused while the call is open or an entry is still under review (the message
    says what is left), and once the notice is published.
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
    rows, member_errors = _members(members)
    if member_errors:
        errors["members"] = member_errors
    if met_on is None or met_on > local_date(now):
        errors["met_on"] = ["请填写审议日期（不晚于今天）。"]
    resolution = clean(resolution or "", multiline=True).strip()
    if not resolution:
        errors["resolution"] = ["请填写审议决议。"]
    counted: dict[int, tuple[int, int, int]] = {}
    for entry in ranked:
        vote = _votes(votes.get(entry.id))
        if vote is None:
            errors[f"votes_{entry.id}"] = [f"请填写{entry.enterprise.name}的表决票数（赞成、反对、弃权）。"]
        elif rows and sum(vote) != len(rows):
            errors[f"votes_{entry.id}"] = [f"{entry.enterprise.name}：赞成、反对、弃权合计应为出席委员数 {len(rows)}。"]
        else:
            counted[entry.id] = vote
    by_id = {e.id: e for e in ranked}
    for entry_id, kind in decisions.items():
        if entry_id not in ids:
            errors[f"entry_{entry_id}"] = ["该申报未完成评审或资格审查，不能列入。"]
        elif kind and kind not in found.award_types:
            errors[f"entry_{entry_id}"] = ["本批次不设该奖项。"]
        elif kind and not kinds.may_grant(by_id[entry_id].kind, kind):
            errors[f"entry_{entry_id}"] = [f"{by_id[entry_id].enterprise.name}申报的是"
                                           f"{HONOUR_TYPES.label(by_id[entry_id].kind)}，不能列入该奖项。"]
        elif kind and entry_id in counted and rows and not passes(counted[entry_id][0], len(rows)):
            errors[f"entry_{entry_id}"] = ["赞成票未达到规定比例，不能列入拟表彰名单。"]
    for kind in found.award_types:
        chosen = sum(1 for k in decisions.values() if k == kind)
        if chosen > int(found.quotas.get(kind) or 0):
            errors[f"quota_{kind}"] = [f"超出名额：名额 {found.quotas.get(kind) or 0} 个，已选 {chosen} 个。"]
    if errors:
        raise ValidationFailed(errors)
    set_actor(db.session, actor.id)
    for old in db.session.scalars(select(CommitteeMember).where(CommitteeMember.round_id == round_id)):
        db.session.delete(old)
    for row in rows:
        row.round_id = round_id
        db.session.add(row)
    for rank, entry in enumerate(ranked, start=1):
        entry.rank = rank
        entry.proposed = decisions.get(entry.id) or None
        entry.votes_for, entry.votes_against, entry.votes_abstain = counted[entry.id]
    found.committee_met_on, found.committee_resolution = met_on, resolution[:4000]
    found.status = "reviewing"
    db.session.commit()
    return ranked


def members_of(round_id: int) -> list[CommitteeMember]:
    return list(db.session.scalars(select(CommitteeMember).where(CommitteeMember.round_id == round_id)
                                   .order_by(CommitteeMember.position)))


def proposed(round_id: int) -> list[AwardEntry]:
    """The proposed list in rank order (those taken off by an upheld objection included, marked)."""
    return list(db.session.scalars(select(AwardEntry).where(
        AwardEntry.round_id == round_id, AwardEntry.proposed.is_not(None)).order_by(AwardEntry.rank)))
