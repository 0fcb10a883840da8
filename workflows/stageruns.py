"""Stage runs: opening one (with its deadline in working days), pausing it for 补正 and resuming it."""
from __future__ import annotations

from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, select

from registry import settings
from registry.clock import aware
from registry.extensions import db
from workflows import calendar
from workflows.models import StageRun
from workflows.spec import Stage, Workflow


def time_limit(stage: Stage) -> int | None:
    if stage.time_limit_setting:
        value = settings.get(stage.time_limit_setting)
        return int(value) if value is not None else None
    return stage.time_limit_days


def open_run(application_id: int, workflow: Workflow, stage: Stage, now: datetime, *, add: bool = True) -> StageRun:
    """Start a run of ``stage`` with its due and reminder times (caller commits). ``add``: add it to the session
    (else the caller inserts it)."""
    run = StageRun(application_id=application_id, stage=stage.name, started_at=now)
    if not stage.final:
        remind_days = int(settings.get(workflow.reminder_days_setting))
        fixed = workflow.due_date(application_id, stage.name) if workflow.due_date else None
        days = time_limit(stage)
        if fixed is not None:
            run.due_at, run.remind_at = calendar.deadline_on(fixed, now, remind_days=remind_days)
        elif days is not None:
            run.due_at, run.remind_at = calendar.deadline(now, days, calendar_days=stage.calendar_days,
                                                          remind_days=remind_days)
    if add:
        db.session.add(run)
    return run


def reschedule_open_runs(application_ids: list[int], stage_names: list[str], now: datetime) -> int:
    """The domain moved a stage's last day (a round's deadline): give the open runs of these applications at these
    stages their due date again, as ``open_run`` would now. A reminder or escalation already sent counts no
    longer when the new date is later, so the sweep warns again in time. Returns the runs changed (caller commits).
    """
    from workflows import definitions
    from workflows.models import Application

    if not application_ids or not stage_names:
        return 0
    changed = 0
    rows = db.session.execute(select(StageRun, Application).join(Application, Application.id == StageRun.application_id)
                              .where(StageRun.application_id.in_(application_ids), StageRun.stage.in_(stage_names),
                                     StageRun.ended_at.is_(None)))
    for run, application in rows:
        workflow = definitions.get(application.workflow, application.definition_version)
        stage = workflow.stage(run.stage)
        remind_days = int(settings.get(workflow.reminder_days_setting))
        fixed = workflow.due_date(application.id, stage.name) if workflow.due_date else None
        days = time_limit(stage)
        if fixed is not None:
            due_at, remind_at = calendar.deadline_on(fixed, now, remind_days=remind_days)
        elif days is not None:
            due_at, remind_at = calendar.deadline(aware(run.started_at), days, calendar_days=stage.calendar_days,
                                                  remind_days=remind_days)
        else:
            due_at = remind_at = None
        if due_at is None or run.due_at is None or due_at > aware(run.due_at):
            run.escalated_at = run.reminded_at = None
        run.due_at, run.remind_at = due_at, remind_at
        if application.stage == run.stage:
            application.due_at = due_at  # the inbox sorts and filters on the application's copy
        changed += 1
    return changed


def current_run(application_id: int) -> StageRun | None:
    return db.session.scalar(_current_run_statement(), {"application_id": application_id})


@cache
def _current_run_statement():
    """Built once (every engine action reads the open run): the statement keeps its cache key."""
    return (select(StageRun).where(StageRun.application_id == bindparam("application_id"), StageRun.ended_at.is_(None))
            .order_by(StageRun.id.desc()))


def pause(run: StageRun | None, now: datetime) -> None:
    if run is not None and run.paused_at is None:
        run.paused_at = now


def resume(run: StageRun | None, now: datetime) -> None:
    """Move the deadline on by the time spent waiting for the applicant."""
    if run is None or run.paused_at is None:
        return
    paused_for = now - aware(run.paused_at)
    if run.due_at is not None:
        run.due_at = aware(run.due_at) + paused_for
    if run.remind_at is not None:
        run.remind_at = aware(run.remind_at) + paused_for
    run.paused_at = None


def close(run: StageRun | None, now: datetime) -> None:
    if run is not None and run.ended_at is None:
        run.ended_at = now
