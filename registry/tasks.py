"""Registry background tasks: thin adapters, ids in, one service call each."""
from __future__ import annotations

from celery import shared_task

from registry.services import health


@shared_task(name="registry.heartbeat", bind=True)
def heartbeat(self) -> str:
    """Canary: proves a worker is consuming by stamping the heartbeat rows ``worker`` (some worker consumes) and
    ``canary:<node name>`` (which one did: ``celery worker -n``, e.g. ``canary:notifications@host``), beside the
    ``worker:<node name>`` row each worker stamps on its own timer (``registry.ops.heartbeats``)."""
    return health.record_heartbeat("worker", f"canary:{self.request.hostname or 'unknown'}").isoformat()
