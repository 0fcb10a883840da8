"""Rounds (年度/届) and the entries in them: open a round, enter a nomination within the call window, funnel."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select

from registry import settings
from registry.awards import kinds
from registry.awards.access import get_round, require_bureau
from registry.awards.gbt19580 import check_points
from registry.awards.models import AWARD_TYPES, LEVELS, SCORING_SCHEMES, AwardEntry, AwardRound
from registry.clock import aware, local_date
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import User
from registry.services.errors import Conflict, ValidationFailed
from registry.vocab import HONOUR_TYPES


# The stages a round may give a last day (in this order; the notice window is the round's own, the call closes
# the application stage). An application reaching one of them is due on that day instead of after the stage's
# working-day limit (flow.stage_due_date), with the same reminders and escalation.
DEADLINE_STAGES = ("recommend", "eligibility", "document_review", "presentation", "site_review", "deliberation")
# What may still change once a round has moved on.
EDITABLE_UNTIL_NOTICE = ("open", "reviewing")


def _check_round(*, name: str, level: str, call_opens_on: date, call_closes_on: date, quotas: dict[str, int],
                 notice_days: int, presentation_enabled: bool, stage_deadlines: dict[str, date | str | None],
                 shortlist_min_score: float | None = None, shortlist_max: int | None = None
                 ) -> tuple[dict[str, int], dict[str, str], dict[str, list[str]]]:
    """(quotas, deadlines as ISO dates, errors) of a round's settings."""
    errors: dict[str, list[str]] = {}
    if shortlist_min_score is not None and not 0 <= float(shortlist_min_score) <= 1000:
        errors["shortlist_min_score"] = ["入围最低分应在 0 到 1000 分之间。"]
    if shortlist_max is not None and not 1 <= int(shortlist_max) <= 500:
        errors["shortlist_max"] = ["入围最多个数应在 1 到 500 之间。"]
    if not (name or "").strip():
        errors["name"] = ["请填写批次名称。"]
    if level not in LEVELS:
        errors["level"] = ["请选择级别。"]
    if call_closes_on < call_opens_on:
        errors["call_closes_on"] = ["截止日期不能早于开始日期。"]
    offered = kinds.level_kinds(level)
    clean_quotas = {t: int(quotas.get(t) or 0) for t in AWARD_TYPES}
    if any(n < 0 for n in clean_quotas.values()):
        errors["quotas"] = ["名额不能为负数。"]
    elif not any(clean_quotas.values()):
        errors["quotas"] = ["请至少为一个奖项设置名额。"]
    elif clean_quotas[kinds.NOMINATION] and not clean_quotas[kinds.QUALITY]:
        errors["quotas"] = ["提名奖授予申报质量奖的企业：设提名奖名额的，质量奖名额至少为 1。"]
    else:
        absent = [str(HONOUR_TYPES.label(t)) for t in AWARD_TYPES if clean_quotas[t] and t not in offered]
        if absent and level in LEVELS:
            errors["quotas"] = [f"该级别不设{'、'.join(absent)}。"]
    if not 1 <= int(notice_days) <= 60:
        errors["notice_days"] = ["公示期应在 1 到 60 天之间。"]
    deadlines, previous = {}, (None, call_closes_on)
    for stage in DEADLINE_STAGES:
        raw = (stage_deadlines or {}).get(stage)
        if not raw or (stage == "presentation" and not presentation_enabled):
            continue
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
        except ValueError:
            errors[f"deadline_{stage}"] = ["日期格式应为 YYYY-MM-DD。"]
            continue
        before_stage, before_day = previous
        if day <= call_closes_on:
            errors[f"deadline_{stage}"] = [f"各环节截止日期应晚于申报截止日期（{call_closes_on.isoformat()}）。"]
        elif before_stage and day < before_day:
            errors[f"deadline_{stage}"] = [f"不能早于前一环节的截止日期（{before_day.isoformat()}）。"]
        deadlines[stage] = day.isoformat()
        previous = (stage, day)
    return clean_quotas, deadlines, errors


def open_round(actor: User, *, name: str, level: str, year: int, call_opens_on: date, call_closes_on: date,
               quotas: dict[str, int], notice_days: int | None = None, notice_working_days: bool | None = None,
               presentation_enabled: bool = False, issuer: str | None = None, scoring_scheme: str = "categories",
               stage_deadlines: dict[str, date | str | None] | None = None,
               shortlist_min_score: float | None = None, shortlist_max: int | None = None) -> AwardRound:
    """Create a round open for applications; ``scoring_scheme`` says whether experts score the 7 categories or the
    23 items of GB/T 19580. The round awards the kinds given a quota (those its level has: ``kinds.LEVEL_KINDS``);
    its mode follows the level (``kinds.mode_for``: above 临海 the county recommends upward).
    Raises Forbidden, ValidationFailed (field -> messages)."""
    require_bureau(actor)
    days = settings.get("awards.notice.days") if notice_days is None else notice_days
    clean_quotas, deadlines, errors = _check_round(
        name=name, level=level, call_opens_on=call_opens_on, call_closes_on=call_closes_on, quotas=quotas,
        notice_days=days, presentation_enabled=presentation_enabled, stage_deadlines=stage_deadlines or {},
        shortlist_min_score=shortlist_min_score, shortlist_max=shortlist_max)
    if scoring_scheme not in SCORING_SCHEMES:
        errors["scoring_scheme"] = ["请选择评分方式。"]
    if errors:
        raise ValidationFailed(errors)
    begin_write()
    set_actor(db.session, actor.id)
    found = AwardRound(
        scoring_scheme=scoring_scheme,
        shortlist_min_score=None if shortlist_min_score is None else float(shortlist_min_score),
        shortlist_max=None if shortlist_max is None else int(shortlist_max),
        name=name.strip(), level=level, mode=kinds.mode_for(level), year=year, call_opens_on=call_opens_on, call_closes_on=call_closes_on,
        quotas=clean_quotas, award_types=[t for t in AWARD_TYPES if clean_quotas[t]], notice_days=int(days),
        notice_working_days=settings.get("awards.notice.working_days") if notice_working_days is None
        else notice_working_days, presentation_enabled=presentation_enabled, issuer=issuer,
        stage_deadlines=deadlines, status="open", created_by_id=actor.id)
    db.session.add(found)
    db.session.commit()
    return found


def update_round(actor: User, round_id: int, now: datetime, *, name: str, call_opens_on: date, call_closes_on: date,
                 quotas: dict[str, int], notice_days: int, notice_working_days: bool, issuer: str | None,
                 stage_deadlines: dict[str, date | str | None], shortlist_min_score: float | None = None,
                 shortlist_max: int | None = None) -> AwardRound:
    """Change a round's settings until its list goes to public notice. Applications already at a stage whose
    last day changed are due on the new day (reminders and escalation follow it). The level, the year and whether
    there is a presentation stage and the scoring scheme are fixed when the round opens: entries, panels and
    scores depend on them; the shortlist limits until the shortlist is confirmed.
    Raises Forbidden, NotFound, Conflict (round in notice or finalised), ValidationFailed."""
    require_bureau(actor)
    found = get_round(round_id)
    if found.status not in EDITABLE_UNTIL_NOTICE:
        raise Conflict("拟表彰名单公示后，批次设置不能再修改。")
    clean_quotas, deadlines, errors = _check_round(
        name=name, level=found.level, call_opens_on=call_opens_on, call_closes_on=call_closes_on, quotas=quotas,
        notice_days=notice_days, presentation_enabled=found.presentation_enabled, stage_deadlines=stage_deadlines,
        shortlist_min_score=shortlist_min_score, shortlist_max=shortlist_max)
    if found.shortlisted_at is not None and (shortlist_min_score != found.shortlist_min_score
                                             or shortlist_max != found.shortlist_max):
        errors["shortlist_min_score"] = ["入围名单已确定，入围条件不能再修改。"]
    if errors:
        raise ValidationFailed(errors)
    begin_write()
    set_actor(db.session, actor.id)
    db.session.refresh(found)
    moved = [s for s in DEADLINE_STAGES if deadlines.get(s) != (found.stage_deadlines or {}).get(s)]
    found.name, found.call_opens_on, found.call_closes_on = name.strip(), call_opens_on, call_closes_on
    found.quotas, found.award_types = clean_quotas, [t for t in AWARD_TYPES if clean_quotas[t]]
    found.notice_days, found.notice_working_days, found.issuer = int(notice_days), notice_working_days, issuer
    found.stage_deadlines = deadlines
    found.shortlist_min_score = None if shortlist_min_score is None else float(shortlist_min_score)
    found.shortlist_max = None if shortlist_max is None else int(shortlist_max)
    db.session.flush()
    if moved:
        from workflows.stageruns import reschedule_open_runs

        application_ids = list(db.session.scalars(select(AwardEntry.application_id).where(
            AwardEntry.round_id == round_id, AwardEntry.application_id.is_not(None))))
        reschedule_open_runs(application_ids, moved, now)
    db.session.commit()
    return found


def validate_entry(round_id: int, *, self_assessment: dict, declaration: bool, now: datetime,
                   kind: str | None = None) -> tuple[AwardRound, dict[str, float]]:
    """Check a nomination before it enters a round: inside the call window (late or early refused), a kind the
    round awards (None: the 质量奖), a complete self-assessment within each category's maximum, the declaration
    accepted. Changes nothing. Raises NotFound, ValidationFailed (field -> messages)."""
    found = get_round(round_id)
    if not found.call_open_on(local_date(now)):
        raise ValidationFailed({"round_id": [
            f"申报时间为 {found.call_opens_on.isoformat()} 至 {found.call_closes_on.isoformat()}，当前不在申报期内。"]})
    points, errors = check_points(self_assessment or {}, field_prefix="self_")
    if (kind or kinds.QUALITY) not in kinds.entry_kinds(found.award_types):
        errors["kind"] = ["本批次不设该奖项，请选择申报的奖项。"]
    if not declaration:
        errors["declaration"] = ["请阅读并确认申报承诺。"]
    if errors:
        raise ValidationFailed(errors)
    return found, points


def build_entry(round_id: int, enterprise_id: int, *, self_assessment: dict, declaration: bool, now: datetime,
                application_id: int | None = None, excellence_since: int | None = None,
                kind: str | None = None) -> AwardEntry:
    """Validate and add the entry (for ``kind``, None: the 质量奖) to the session without committing (the workflow
    engine's submit effect). Raises NotFound, ValidationFailed, Conflict (the enterprise already entered this round)."""
    _round, points = validate_entry(round_id, self_assessment=self_assessment, declaration=declaration, now=now,
                                    kind=kind)
    exists = db.session.scalar(select(AwardEntry.id).where(
        AwardEntry.round_id == round_id, AwardEntry.enterprise_id == enterprise_id))
    if exists:
        raise Conflict("该企业已在本批次申报。", existing_id=exists)
    entry = AwardEntry(round_id=round_id, enterprise_id=enterprise_id, application_id=application_id,
                       kind=kind or kinds.QUALITY, self_assessment=points, declaration_at=now, excellence_since=excellence_since)
    db.session.add(entry)
    db.session.flush()
    return entry


def add_entry(round_id: int, enterprise_id: int, *, self_assessment: dict, declaration: bool, now: datetime,
              application_id: int | None = None, actor_id: int | None = None,
              excellence_since: int | None = None, kind: str | None = None) -> AwardEntry:
    """Enter an enterprise's nomination in a round and commit (see ``build_entry``). The caller checked that the
    actor may apply for the enterprise. Raises NotFound, ValidationFailed, Conflict."""
    validate_entry(round_id, self_assessment=self_assessment, declaration=declaration, now=now, kind=kind)
    begin_write()
    set_actor(db.session, actor_id)
    entry = build_entry(round_id, enterprise_id, self_assessment=self_assessment, declaration=declaration,
                        now=now, application_id=application_id, excellence_since=excellence_since, kind=kind)
    db.session.commit()
    return entry


def funnel(round_id: int, recommended_ids: set[int] | None = None) -> dict[str, int]:
    """Counts of a round's entries: applied, recommended, eligible, reviewed, proposed, awarded.

    ``recommended_ids``: entry ids past the town's recommendation; when None, those whose application is past the
    recommendation stage, and any with an eligibility check (the check follows the recommendation).
    """
    from workflows.models import Application

    entries = db.session.scalars(select(AwardEntry).where(AwardEntry.round_id == round_id)).all()
    if recommended_ids is None:  # past the town's recommendation in the workflow, or checked (entries without one)
        past = set(db.session.scalars(select(AwardEntry.id).join(Application, Application.id == AwardEntry.application_id)
                                      .where(AwardEntry.round_id == round_id,
                                             Application.stage.not_in(("apply", "recommend")))))
        recommended_ids = past | {e.id for e in entries if e.eligibility is not None}
    recommended = [e for e in entries if e.id in recommended_ids]
    return {
        "applied": len(entries),
        "recommended": len(recommended),
        "eligible": sum(1 for e in entries if e.eligibility_decision == "eligible"),
        "reviewed": sum(1 for e in entries if e.final_score is not None),
        "proposed": sum(1 for e in entries if e.proposed and not e.excluded_reason),
        "awarded": sum(1 for e in entries if e.honour_id),
    }


def rounds_list() -> list[AwardRound]:
    return list(db.session.scalars(select(AwardRound).order_by(AwardRound.year.desc(), AwardRound.id.desc())))


def entry_count(round_id: int) -> int:
    return db.session.scalar(select(func.count(AwardEntry.id)).where(AwardEntry.round_id == round_id)) or 0


def deadline_overview(found: AwardRound, applications: list, now: datetime) -> list[dict]:
    """Per deadline stage of the round: its last day (or the stage's working-day limit), how many applications
    are at it now and how many of those are past their due time."""
    from workflows import definitions
    from workflows.spec import IN_PROGRESS
    from workflows.stageruns import time_limit

    workflow = definitions.get("quality_award")
    rows = []
    for name in DEADLINE_STAGES:
        if name == "presentation" and not found.presentation_enabled:
            continue
        here = [a for a in applications if a.stage == name and a.status == IN_PROGRESS]
        overdue = [a for a in here if a.due_at is not None and not a.paused and aware(a.due_at) < now]
        rows.append({"stage": name, "label": workflow.stage(name).label,
                     "deadline": (found.stage_deadlines or {}).get(name), "limit_days": time_limit(workflow.stage(name)),
                     "at_stage": len(here), "overdue": len(overdue)})
    return rows
