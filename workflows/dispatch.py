"""Getting outbox rows to the worker: publish right after commit, and a relay that re-publishes what is still pending.

Publishing never raises: when Redis is down the rows simply stay pending and the relay (a beat job) sends them
once it is back. Publish timeouts are bounded in ``registry.celery_app`` so a request never waits long.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from registry import settings
from registry.database import begin_write
from registry.extensions import db
from workflows.models import Outbox

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a row claimed by a worker that died is retried after this
WORKER_LOST = "worker lost mid-delivery (lease expired)"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(10 * 2 ** attempts, 3600))


def publish(jobs: list[tuple[int, str]]) -> int:
    """Send each (outbox id, task) to the broker; stop at the first failure (the relay retries). Returns how many."""
    celery = current_app.extensions["celery"]
    sent = 0
    for outbox_id, task in jobs:
        try:
            celery.send_task(task, args=[outbox_id], retry=False)  # to its queue: registry.queues
            sent += 1
        except Exception as exc:  # noqa: BLE001  (broker down: the relay will send it)
            log.warning("publish of outbox %s deferred: %s", outbox_id, exc)
            break
    return sent


def relay(now: datetime, limit: int = 500) -> int:
    """Re-publish pending rows whose next attempt is due, and release rows whose worker lease expired.

    A row whose lease expired lost its worker mid-delivery (killed, out of memory): it goes back to pending, or is
    dead once it has used its attempts, so a job that kills its worker every time is not re-sent forever.
    Pushes each row's ``next_attempt_at`` on before publishing, so a slow worker is not sent the same row again
    at once. Returns how many jobs were published.
    """
    max_attempts = int(settings.get("workflows.outbox_max_attempts"))
    begin_write()
    expired = (Outbox.status == "sending", Outbox.next_attempt_at <= now)
    db.session.execute(update(Outbox).where(*expired, Outbox.attempts >= max_attempts)
                       .values(status="dead", last_error=WORKER_LOST))
    db.session.execute(update(Outbox).where(*expired).values(status="pending", last_error=WORKER_LOST))
    rows = db.session.execute(
        select(Outbox.id, Outbox.task, Outbox.attempts).where(
            Outbox.status == "pending", Outbox.next_attempt_at <= now).order_by(Outbox.id).limit(limit)).all()
    for row_id, _task, attempts in rows:
        db.session.execute(update(Outbox).where(Outbox.id == row_id).values(next_attempt_at=now + backoff(attempts)))
    db.session.commit()
    return publish([(row_id, task) for row_id, task, _ in rows])


def claim(outbox_id: int, now: datetime) -> Outbox | None:
    """Take a pending row for sending (compare-and-set), or None when it is done, dead or taken."""
    begin_write()
    result = db.session.execute(
        update(Outbox).where(Outbox.id == outbox_id, Outbox.status == "pending")
        .values(status="sending", attempts=Outbox.attempts + 1, next_attempt_at=now + LEASE))
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(Outbox, outbox_id)


def finish(outbox_id: int, now: datetime, error: str | None = None, max_attempts: int = 8) -> None:
    """Mark a claimed row done, or back to pending with backoff (dead after ``max_attempts``)."""
    begin_write()
    row = db.session.get(Outbox, outbox_id)
    if error is None:
        row.status, row.done_at, row.last_error = "done", now, None
    else:
        row.last_error = error[:2000]
        row.status = "dead" if row.attempts >= max_attempts else "pending"
        row.next_attempt_at = now + backoff(row.attempts)
    db.session.commit()


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count(Outbox.id)).where(or_(Outbox.status == "pending",
                                                                     Outbox.status == "sending")))
