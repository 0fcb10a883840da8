"""The daily retention job: a thin adapter with a stable name and an injectable ``now``, idempotent."""
from __future__ import annotations

from celery import shared_task

from registry.clock import parse_now


@shared_task(name="registry.retention")
def retention(now: str | None = None) -> dict:
    """Remove what has outlived its retention setting (registry.retention.purge)."""
    from registry.retention import purge

    return purge.run(parse_now(now))
