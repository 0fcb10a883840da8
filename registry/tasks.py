"""Registry background tasks: thin adapters, ids in, one service call each."""
from __future__ import annotations

from celery import shared_task

from registry.services import health


@shared_task(name="registry.heartbeat")
def heartbeat() -> str:
    """Canary: proves a worker is consuming by stamping the heartbeat row."""
    return health.record_heartbeat().isoformat()
