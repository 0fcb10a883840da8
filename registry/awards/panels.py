"""Panel use cases: record draws (single, batch, redraw), replay them, conflict declarations and substitutes.

The draw itself is the pure ``registry.awards.draw``; this module builds its facts from the registry
(expert ties, enterprises, declared conflicts) and records seed, inputs and result as a ``PanelDraw``.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from registry import settings
from registry.awards import draw as drawing
from registry.awards.access import get_entry, require_bureau, seat_of
from registry.awards.models import AwardEntry, Expert, PanelDraw, PanelMember, Score
from registry.awards.seat_notices import notify_seats
from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from registry.services.errors import Conflict, NotFound, ValidationFailed


def pool_facts() -> list[drawing.ExpertFacts]:
    """The active pool as draw facts: each tie resolved against the registry enterprise it names."""
    experts = db.session.scalars(select(Expert).where(Expert.active.is_(True))
                                 .options(selectinload(Expert.ties))).all()
    out = []
    for expert in experts:
        ties = []
        for tie in expert.ties:
            firm = tie.enterprise
            legal_rep = firm.legal_representative if firm else (expert.name if tie.kind == "legal_rep" else None)
            ties.append(drawing.TieFacts(
                tie_id=tie.id, kind=tie.kind, enterprise_id=tie.enterprise_id,
                org_name=tie.org_name or (firm.name if firm else None),
                group_name=tie.group_name or (firm.group_name if firm else None), legal_rep=legal_rep))
        out.append(drawing.ExpertFacts(id=expert.id, can_lead=expert.can_lead, ties=tuple(ties)))
    return out


def applicant_facts(entry: AwardEntry) -> drawing.ApplicantFacts:
    declared = db.session.scalars(select(PanelMember.expert_id).where(
        PanelMember.entry_id == entry.id, PanelMember.conflict_declared_at.is_not(None))).all()
    firm = entry.enterprise
    return drawing.ApplicantFacts(key=entry.id, enterprise_id=firm.id, name=firm.name, group_name=firm.group_name,
                                  legal_rep=firm.legal_representative, declared=frozenset(declared))


def current_draw(entry_id: int) -> PanelDraw | None:
    return db.session.scalar(select(PanelDraw).where(
        PanelDraw.entry_id == entry_id, PanelDraw.superseded_at.is_(None)).order_by(PanelDraw.id.desc()))


def draw_panels(actor: User, entry_ids: list[int], now: datetime, *, reason: str | None = None,
                size: int | None = None, n_substitutes: int | None = None, seed: str | None = None,
                round_id: int | None = None) -> list[PanelDraw]:
    """Draw and record panels for entries (one batch). An entry that already has a panel is redrawn, which needs
    a reason and is refused once scoring has begun. ``round_id``: the round the request is about; every entry must
    be of it. Raises Forbidden, NotFound, ValidationFailed, Conflict."""
    require_bureau(actor)
    size = size or settings.get("awards.panel.size")
    n_subs = settings.get("awards.panel.substitutes") if n_substitutes is None else n_substitutes
    begin_write()
    entries = [get_entry(actor, i) for i in sorted(set(entry_ids))]
    if not entries:
        raise ValidationFailed({"entry_ids": ["请选择要抽取专家的申报。"]})
    if round_id is not None and any(e.round_id != round_id for e in entries):
        raise ValidationFailed({"entry_ids": ["所选申报不属于本届评选。"]})
    previous = {e.id: current_draw(e.id) for e in entries}
    if any(previous.values()) and not (reason or "").strip():
        raise ValidationFailed({"reason": ["重新抽取必须填写理由。"]})
    if db.session.scalar(select(Score.id).where(Score.entry_id.in_([e.id for e in entries]))):
        raise Conflict("已有专家评分，不能重新抽取。")
    batch = seed or secrets.token_hex(8)
    try:
        draws = drawing.draw_batch(pool_facts(), [applicant_facts(e) for e in entries], seed=batch,
                                   max_load=settings.get("awards.panel.max_load") if len(entries) > 1 else None,
                                   size=size, n_substitutes=n_subs, min_size=settings.get("awards.panel.min_size"),
                                   leader_rule=settings.get("awards.panel.leader_rule"))
    except (drawing.InsufficientPool, ValueError) as exc:
        raise ValidationFailed({"size": [str(exc)]}) from exc
    rows = []
    for entry, result in zip(entries, draws):
        old = previous[entry.id]
        if old is not None:
            old.superseded_at = now
            db.session.execute(update(PanelMember).where(PanelMember.draw_id == old.id).values(active=False))
        row = PanelDraw(round_id=entry.round_id, entry_id=entry.id, batch_key=batch, seed=result.seed,
                        inputs=result.inputs, result=result.result, actor_id=actor.id, created_at=now,
                        reason=(reason or "").strip() or None if old is not None else None)
        db.session.add(row)
        db.session.flush()
        for pos, expert_id in enumerate(result.panel + result.substitutes):
            seated = pos < len(result.panel)
            db.session.add(PanelMember(
                draw_id=row.id, entry_id=entry.id, expert_id=expert_id, position=pos, active=seated,
                role="leader" if expert_id == result.leader else ("member" if seated else "substitute")))
        rows.append(row)
    from registry.awards.flow import sync_assignments

    for entry in entries:  # experts of a superseded panel lose access to the application
        sync_assignments(entry.id, now)
    seated = list(db.session.scalars(select(PanelMember).where(
        PanelMember.draw_id.in_([r.id for r in rows]), PanelMember.active.is_(True))))
    jobs = notify_seats(seated, now)
    db.session.commit()
    _publish(jobs)
    return rows


def _publish(jobs: list[tuple[int, str]]) -> None:
    """Send the seat messages' outbox rows to the worker (never raises: the relay retries)."""
    from workflows.dispatch import publish

    publish(jobs)


def verify(draw_id: int) -> bool:
    """Whether replaying the recorded draw from its seed and inputs gives the recorded panel."""
    row = db.session.get(PanelDraw, draw_id)
    if row is None:
        raise NotFound("未找到该抽取记录。")
    return drawing.replay(row.seed, row.inputs) == row.result


def members(entry_id: int, *, seated_only: bool = False) -> list[PanelMember]:
    """The current draw's seats in order (leader first); ``seated_only``: active leader and members."""
    row = current_draw(entry_id)
    if row is None:
        return []
    query = select(PanelMember).where(PanelMember.draw_id == row.id).order_by(PanelMember.position)
    if seated_only:
        query = query.where(PanelMember.active.is_(True))
    return list(db.session.scalars(query))


def declare(entry_id: int, user: User, *, conflict: bool, reason: str | None, now: datetime) -> PanelMember | None:
    """A seated expert declares no conflict (then may see the material), or a conflict: they leave the panel and
    the first remaining substitute takes their seat and role. Returns the promoted seat (None when no
    substitute is left: the bureau must redraw). Raises NotFound (not seated), ValidationFailed, Conflict."""
    if conflict and not (reason or "").strip():
        raise ValidationFailed({"reason": ["请说明需要回避的原因。"]})
    begin_write()
    seat = seat_of(user, entry_id)
    if seat is None or not seat.active:
        raise NotFound("您不在该申报的评审专家组中。")
    if seat.declared_no_conflict_at is not None:
        raise Conflict("您已声明无利益冲突。如发现冲突，请联系市局重新安排。")
    from registry.awards.flow import sync_assignments

    if not conflict:
        seat.declared_no_conflict_at = now
        db.session.flush()
        sync_assignments(entry_id, now)  # now the workflow lets them see the application and its material
        db.session.commit()
        return None
    seat.conflict_declared_at, seat.conflict_reason, seat.active = now, reason.strip(), False
    substitutes = db.session.scalars(select(PanelMember).where(
        PanelMember.draw_id == seat.draw_id, PanelMember.role == "substitute", PanelMember.active.is_(False),
        PanelMember.conflict_declared_at.is_(None)).order_by(PanelMember.position)).all()
    promoted = None
    for candidate in substitutes:
        # Compare-and-set: two conflicts declared at once must not promote the same substitute.
        won = db.session.execute(update(PanelMember).where(
            PanelMember.id == candidate.id, PanelMember.role == "substitute", PanelMember.active.is_(False),
        ).values(active=True, role=seat.role).execution_options(synchronize_session=False)).rowcount
        if won == 1:
            promoted = candidate
            break
    jobs = []
    if promoted is not None:
        seat.replaced_by_id = promoted.id
        db.session.flush()
        db.session.refresh(promoted)
        jobs = notify_seats([promoted], now)
    db.session.flush()
    sync_assignments(entry_id, now)
    db.session.commit()
    _publish(jobs)
    if promoted is not None:
        db.session.refresh(promoted)
    return promoted


def may_see_material(user: User, entry_id: int) -> bool:
    seat = seat_of(user, entry_id)
    return seat is not None and seat.active and seat.declared_no_conflict_at is not None
