"""Running one outbox row: claim it, deliver, record the outcome (retries with backoff; dead after K attempts)."""
from __future__ import annotations

from datetime import datetime

from workflows import delivery, dispatch, settings


def run(outbox_id: int, now: datetime) -> str:
    """Deliver the row if it is still pending; returns "done", "retry", "dead" or "skipped" (done or taken)."""
    row = dispatch.claim(outbox_id, now)
    if row is None:
        return "skipped"
    payload = dict(row.payload or {})
    max_attempts = int(settings.get("workflows.outbox_max_attempts", 8))
    try:
        delivery.send(payload["notification_id"], payload["channel"])
    except delivery.DeliveryError as exc:
        if exc.permanent:  # refused for good (e.g. an SMS gateway's 4xx): dead now, no retries
            max_attempts = row.attempts
        dispatch.finish(outbox_id, now, error=str(exc), max_attempts=max_attempts)
        return "dead" if row.attempts >= max_attempts else "retry"
    dispatch.finish(outbox_id, now)
    return "done"
