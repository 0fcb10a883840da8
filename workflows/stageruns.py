"""Stage runs: opening one (with its deadline in working days), pausing it for 补正 and resuming it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from registry.extensions import db
from workflows import calendar, settings
from workflows.models import StageRun
from workflows.spec import Stage, Workflow


def time_limit(stage: Stage) -> int | None:
    if stage.time_limit_setting:
        value = settings.get(stage.time_limit_setting, stage.time_limit_days)
        return int(value) if value is not None else None
    return stage.time_limit_days


def open_run(application_id: int, workflow: Workflow, stage: Stage, now: datetime) -> StageRun:
    """Start a run of ``stage`` with its due and reminder times (caller commits)."""
    run = StageRun(application_id=application_id, stage=stage.name, started_at=now)
    days = time_limit(stage)
    if days is not None and not stage.final:
        run.due_at, run.remind_at = calendar.deadline(
            now, days, calendar_days=stage.calendar_days,
            remind_days=int(settings.get(workflow.reminder_days_setting, 2)))
    db.session.add(run)
    return run


def current_run(application_id: int) -> StageRun | None:
    return db.session.scalar(select(StageRun).where(StageRun.application_id == application_id,
                                                    StageRun.ended_at.is_(None)).order_by(StageRun.id.desc()))


def pause(run: StageRun | None, now: datetime) -> None:
    if run is not None and run.paused_at is None:
        run.paused_at = now


def resume(run: StageRun | None, now: datetime) -> None:
    """Move the deadline on by the time spent waiting for the applicant."""
    if run is None or run.paused_at is None:
        return
    paused_for = now - _aware(run.paused_at)
    if run.due_at is not None:
        run.due_at = _aware(run.due_at) + paused_for
    if run.remind_at is not None:
        run.remind_at = _aware(run.remind_at) + paused_for
    run.paused_at = None


def close(run: StageRun | None, now: datetime) -> None:
    if run is not None and run.ended_at is None:
        run.ended_at = now


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
