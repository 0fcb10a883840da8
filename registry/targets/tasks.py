"""Celery adapters of the targets area: ids in, one service call, idempotent."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="targets.export", holds_writes=False)  # each step writes through begin_write()
def export(export_id: int) -> str:
    """Build the full export workbook of job ``export_id`` (progress on the job row)."""
    from registry.targets.jobs import run_export

    return run_export(export_id)


@shared_task(name="targets.snapshot_month")
def snapshot_month(now: str | None = None) -> str:
    """Store the figures as of the last day of the previous month (once; re-runs change nothing)."""
    from registry.targets.jobs import month_end_before, take_snapshot

    return take_snapshot(month_end_before(now)).as_of.isoformat()


@shared_task(name="targets.review", holds_writes=False)  # each step writes through begin_write()
def review(review_id: int) -> str:
    """Build the figures of plan review ``review_id`` (progress on its row; an issued review is never touched)."""
    from registry.targets.reviews import run

    return run(review_id)


@shared_task(name="targets.warm_figures", holds_writes=False)  # counts into the cache: no database write
def warm_figures(day: str | None = None) -> dict:
    """Count the dashboard's and the town assessment's figures into the cache (today unless ``day``, ISO)."""
    from datetime import date

    from registry.targets.warm import warm

    return warm(date.fromisoformat(day) if day else None)
