"""The award's side of the workflow engine: the guards and effects ``registry/awards/definitions.py``
names, starting an award application, and ``advance`` which applies a stage's automatic actions right after a
domain change (the beat sweep would apply them within a minute anyway; this makes pages immediate).

Guards read the award's own tables (entry decided eligible, review settled, round in notice, honour created),
so the engine moves an application only when the domain says so; the engine alone writes its status.
"""
from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select

from registry import clock
from registry.awards import rounds
from registry.awards.models import AwardEntry, AwardRound, PanelMember
from registry.database import begin_write
from registry.extensions import db
from registry.models import Enterprise, Honour, User
from registry.services.errors import DomainError, Forbidden, NotFound, ValidationFailed

log = logging.getLogger(__name__)
WORKFLOW = "quality_award"


def entry_of(application) -> AwardEntry | None:
    return db.session.scalar(select(AwardEntry).where(AwardEntry.application_id == application.id))


def _round_of(application) -> AwardRound | None:
    round_id = (application.data or {}).get("round_id")
    return db.session.get(AwardRound, int(round_id)) if round_id else None


def stage_due_date(application_id: int, stage_name: str) -> date | None:
    """The last day the application's round sets for this stage (``AwardRound.stage_deadlines``), or None: then
    the stage's working-day limit applies. The engine asks when the application reaches the stage."""
    from workflows.models import Application

    application = db.session.get(Application, application_id)
    found = _round_of(application) if application is not None else None
    value = (found.stage_deadlines or {}).get(stage_name) if found is not None else None
    return date.fromisoformat(value) if value else None


def round_problem(enterprise_id: int, _actor, round_id: int) -> str | None:
    """Why an award application of ``enterprise_id`` may not name round ``round_id`` (None: it may): the round
    exists, its call is open today, and the enterprise has not entered it (the definition's ``round_id`` check)."""
    found = db.session.get(AwardRound, round_id)
    if found is None:
        return "未找到该评选批次。"
    if not found.call_open_on(clock.local_date(clock.now())):
        return "当前不在该批次的申报期内。"
    if db.session.scalar(select(AwardEntry.id).where(AwardEntry.round_id == round_id,
                                                     AwardEntry.enterprise_id == enterprise_id)):
        return "该企业已在本批次申报。"
    return None


# Guards: (application, actor, values) -> None when the action may proceed, else the message shown.

def ready_to_submit(application, _actor, _values) -> str | None:
    from workflows.models import Attachment

    data = application.data or {}
    if _round_of(application) is None:
        return "未找到申报批次。"
    try:
        rounds.validate_entry(int(data["round_id"]), self_assessment=data.get("self_assessment") or {},
                              declaration=bool(data.get("declaration")), now=clock.now(), kind=data.get("kind"))
    except ValidationFailed as exc:
        return "；".join(m for msgs in exc.errors.values() for m in msgs)
    if not db.session.scalar(select(Attachment.id).where(Attachment.application_id == application.id,
                                                         Attachment.slot == "report")):
        return "请上传自评报告。"
    return None


def eligible_decided(application, _actor, _values) -> str | None:
    entry = entry_of(application)
    return None if entry and entry.eligibility_decision == "eligible" else "请先作出资格审查结论（符合）。"


def _settled(stage: str):
    def guard(application, _actor, _values) -> str | None:
        entry = entry_of(application)
        return None if entry and stage in (entry.review_scores or {}) else "专家评分尚未全部完成。"
    guard.__name__ = f"{stage}_settled"
    return guard


document_settled = _settled("document")
site_settled = _settled("site")
_presentation_settled = _settled("presentation")


def presentation_done(application, actor, values) -> str | None:
    """Passes at once when the round has no presentation stage (the stage is skipped by the system)."""
    found = _round_of(application)
    if found is not None and not found.presentation_enabled:
        return None
    return _presentation_settled(application, actor, values)


def proposed_in_notice(application, _actor, _values) -> str | None:
    entry, found = entry_of(application), _round_of(application)
    ok = entry and found and found.status in ("notice", "finalised") and entry.proposed
    return None if ok else "尚未列入公示名单。"


def not_selected(application, _actor, _values) -> str | None:
    entry, found = entry_of(application), _round_of(application)
    ok = entry and found and found.status in ("notice", "finalised") and not entry.proposed
    return None if ok else "审议尚未结束或已列入公示名单。"


def shortlisted(application, _actor, _values) -> str | None:
    entry = entry_of(application)
    return None if entry and entry.shortlisted is True else "入围名单尚未确定或未入围。"


def not_shortlisted(application, _actor, _values) -> str | None:
    entry = entry_of(application)
    return None if entry and entry.shortlisted is False else "入围名单尚未确定或已入围。"


def notice_closed_clear(application, _actor, _values) -> str | None:
    """The round's notice closed with every objection answered, and this entry is still on the list."""
    entry, found = entry_of(application), _round_of(application)
    ok = entry and found and found.status in ("approval", "finalised") and entry.proposed and not entry.excluded_reason
    return None if ok else "公示期未满或尚有异议未处理。"


def honoured(application, _actor, _values) -> str | None:
    entry = entry_of(application)
    return None if entry and entry.honour_id else "尚未登记政府审定结果。"


def not_won(application, _actor, _values) -> str | None:
    """A round that recommends upward recorded this entry as not having won at the higher level."""
    entry = entry_of(application)
    return None if entry and entry.outcome == "not_won" else "尚未登记上级评定结果或已获奖。"


def objection_upheld(application, _actor, _values) -> str | None:
    entry, found = entry_of(application), _round_of(application)
    ok = entry and found and found.status in ("approval", "finalised") and entry.excluded_reason
    return None if ok else "没有成立的异议。"


# Effects: (application, actor, values, now), inside the engine's transaction (no commit here).

def enter_round(application, _actor, _values, now) -> None:
    """Submission puts the nomination into its round (late submissions are refused by the guard and here)."""
    data = application.data or {}
    rounds.build_entry(int(data["round_id"]), application.enterprise_id,
                       self_assessment=data.get("self_assessment") or {}, declaration=bool(data.get("declaration")),
                       now=now, application_id=application.id, excellence_since=data.get("excellence_since"),
                       kind=data.get("kind"))


def revoke_honour(application, _actor, values, _now) -> None:
    from registry.awards.revocation import apply_revocation

    entry = entry_of(application)
    honour = db.session.get(Honour, entry.honour_id) if entry and entry.honour_id else None
    if honour is None:
        raise ValidationFailed({"action": ["该申报没有对应的荣誉。"]})
    apply_revocation(honour, reason=values["revoke_reason"], evidence=values["evidence"], on=values["revoked_on"])


# Starting and advancing.

def start_application(user: User, round_id: int, now: datetime | None = None):
    """A draft award application of the user's enterprise for a round (one per enterprise and round: the existing
    one is returned). Raises Forbidden (not an enterprise account), NotFound, ValidationFailed (call closed)."""
    from workflows import engine
    from workflows.models import Application

    now = now or clock.now()
    if user.role != "enterprise" or not user.enterprise_id:
        raise Forbidden("只有企业用户可以申报。")
    found = db.session.get(AwardRound, round_id)
    if found is None:
        raise NotFound("未找到该评选批次。")
    if not found.call_open_on(clock.local_date(now)):
        raise ValidationFailed({"round_id": ["当前不在申报期内。"]})
    begin_write()
    key = f"award-round-{round_id}"
    existing = db.session.scalar(select(Application).where(
        Application.enterprise_id == user.enterprise_id, Application.workflow == WORKFLOW,
        Application.idempotency_key.in_([key]), Application.status != "withdrawn"))
    if existing is not None:
        db.session.commit()
        return existing
    firm = db.session.get(Enterprise, user.enterprise_id)
    application = engine.start(WORKFLOW, firm.id, user, title=f"{firm.name} · {found.name}",
                               data={"round_id": found.id, "self_assessment": {}, "declaration": False},
                               idempotency_key=key, now=now)
    db.session.commit()
    return application


def advance(application_id: int | None, now: datetime | None = None, max_steps: int = 6) -> int:
    """Apply, as the system, each automatic action of the application's current stage whose condition holds,
    repeatedly (a skipped presentation stage leads straight on). Returns how many actions were applied."""
    if application_id is None:
        return 0
    from workflows import engine
    from workflows.models import Application

    applied = 0
    for _ in range(max_steps):
        db.session.commit()
        application = db.session.get(Application, application_id, populate_existing=True)
        if application is None or application.status != "in_progress":
            break
        stage = engine.definition_of(application).stage(application.stage)
        ready = [a for a in stage.auto if not a.on_timeout and (a.when is None or a.when(application, None, {}) is None)]
        if not ready:
            break
        try:
            engine.apply(application.id, ready[0].action, None, version=application.version, now=now)
            applied += 1
        except DomainError as exc:  # someone acted first; the sweep will look again
            log.info("advance %s on %s: %s", ready[0].action, application_id, exc.message)
            break
    return applied


def advance_round(round_id: int, now: datetime | None = None) -> int:
    ids = db.session.scalars(select(AwardEntry.application_id).where(
        AwardEntry.round_id == round_id, AwardEntry.application_id.is_not(None))).all()
    return sum(advance(i, now) for i in ids)


def sync_assignments(entry_id: int, now: datetime) -> None:
    """Mirror the panel onto the engine's assignments: a seated expert who declared no conflict is assigned (the
    engine's ``expert`` relation: sees the application and its material); anyone else is not (caller commits)."""
    from workflows.models import Assignment

    entry = db.session.get(AwardEntry, entry_id)
    if entry is None or entry.application_id is None:
        return
    from registry.awards.panels import members

    wanted = {m.expert.user_id: m for m in members(entry_id, seated_only=True)
              if m.expert.user_id and m.declared_no_conflict_at is not None}
    existing = {a.user_id: a for a in db.session.scalars(select(Assignment).where(
        Assignment.application_id == entry.application_id, Assignment.stage.is_(None)))}
    for user_id, assignment in existing.items():
        assignment.active = user_id in wanted
    for user_id, seat in wanted.items():
        assignment = existing.get(user_id)
        if assignment is None:
            db.session.add(Assignment(application_id=entry.application_id, user_id=user_id, stage=None,
                                      role=seat.role, position=seat.position, active=True,
                                      declared_no_conflict_at=seat.declared_no_conflict_at, created_at=now))
        else:
            assignment.role, assignment.declared_no_conflict_at = seat.role, seat.declared_no_conflict_at


def close_notices(now: datetime) -> list[int]:
    """The beat job's use case: rounds whose notice closed clear go to 审定, then their applications move on."""
    from registry.awards import notice

    done = notice.close_notices(now)
    for round_id in done:
        advance_round(round_id, now)
    return done
