"""Background imports: thin adapters, a job id in, one service call each (idempotent by job status)."""
from __future__ import annotations

from celery import shared_task

from registry.excel import importer


@shared_task(name="excel.preview_import")
def preview_import(job_id: int) -> None:
    """Check a large upload's rows (writes nothing to the registry)."""
    importer.preview_import(job_id)


@shared_task(name="excel.run_import")
def run_import(job_id: int, now: str | None = None) -> str:
    """Commit a confirmed import in one transaction."""
    return importer.run_import(job_id, now)


@shared_task(name="excel.expire_stale_imports")
def expire_stale_imports(now: str | None = None) -> int:
    """Beat: close unconfirmed previews and jobs whose task never ran, removing their files."""
    return importer.expire_stale_jobs(now)
