"""Getting outbox rows to the worker: publish right after commit, and a relay that re-publishes what is still pending.

The outbox is the one way work reaches the worker. Two kinds of row: a delivery (a notification on one channel;
the worker claims the row, counts attempts and marks it done), and a hand-off (``hand_off``: any other task, whose
own job row or idempotent re-check makes a second run harmless; the row is done once the broker took it). Either
is written in the same transaction as the change that asks for it, so a rollback takes the job back too.

Publishing never raises: when Redis is down the rows simply stay pending and the relay (a beat job) sends them
once it is back. Publish timeouts are bounded (``BROKER_PUBLISH_TIMEOUT``, ``registry.task_producer``) so a request
never waits long.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from uuid import uuid4

from flask import current_app
from sqlalchemy import or_, select, update

from registry import db_retry, settings
from registry.database import begin_write
from registry.extensions import db
from registry.models.base import utcnow
from workflows.models import Outbox

log = logging.getLogger(__name__)

HAND_OFF = "hand_off"  # payload key of a hand-off row: {"args": [...], "kwargs": {...}} of its task
_HANDED = "outbox_handed_off"  # session.info: ids of hand-off rows written in this transaction
LEASE = timedelta(minutes=5)  # a row claimed by a worker that died is retried after this
WORKER_LOST = "worker lost mid-delivery (lease expired)"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(10 * 2 ** attempts, 3600))


def publish(jobs: list[tuple[int, str]]) -> int:
    """Send each (outbox id, task) to the broker; stop at the first failure (the relay retries). Returns how many."""
    celery, producer = current_app.extensions["celery"], current_app.extensions["task_producer"]
    sent = 0
    for outbox_id, task in jobs:
        try:
            # to its queue (registry.queues), over the process's kept Redis client (registry.task_producer)
            celery.send_task(task, args=[outbox_id], retry=False, producer=producer)
            sent += 1
        except Exception as exc:  # noqa: BLE001  (broker down: the relay will send it)
            log.warning("publish of outbox %s deferred: %s", outbox_id, exc)
            break
    return sent


def hand_off(task: str, *args, **kwargs) -> Outbox:
    """Write an outbox row that sends ``task(*args, **kwargs)`` (ids and plain values) to the worker once the caller
    commits; the caller then calls ``send_handed_off()`` to publish at once (what is left pending, the relay sends).
    The task must be idempotent: a row published just before a crash is sent again."""
    row = Outbox(effect_key=f"{task}:{uuid4().hex}", task=task, payload={HAND_OFF: {"args": list(args),
                                                                                  "kwargs": kwargs}})
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(_HANDED, []).append(row.id)
    return row


def send_handed_off() -> int:
    """After the commit: publish the hand-off rows this session wrote. Returns how many the broker took."""
    ids = db.session.info.pop(_HANDED, [])
    if not ids:
        return 0
    rows = db.session.execute(select(Outbox.id, Outbox.task, Outbox.payload).where(
        Outbox.id.in_(ids), Outbox.status == "pending")).all()
    return _publish_hand_offs(rows)


def _publish_hand_offs(rows) -> int:
    """Send each (id, task, payload) hand-off row and mark it done; stop at the first failure (the relay retries)."""
    celery, producer = current_app.extensions["celery"], current_app.extensions["task_producer"]
    sent = 0
    for row_id, task, payload in rows:
        call = (payload or {}).get(HAND_OFF) or {}
        try:
            celery.send_task(task, args=call.get("args") or [], kwargs=call.get("kwargs") or {}, retry=False,
                             producer=producer)
        except Exception as exc:  # noqa: BLE001  (broker down: the relay will send it)
            log.warning("hand-off of outbox %s (%s) deferred: %s", row_id, task, exc)
            break
        begin_write()
        db.session.execute(update(Outbox).where(Outbox.id == row_id, Outbox.status == "pending")
                           .values(status="done", done_at=utcnow(), last_error=None))
        db.session.commit()
        sent += 1
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
        select(Outbox.id, Outbox.task, Outbox.attempts, Outbox.payload).where(
            Outbox.status == "pending", Outbox.next_attempt_at <= now).order_by(Outbox.id).limit(limit)).all()
    for row_id, _task, attempts, _payload in rows:
        db.session.execute(update(Outbox).where(Outbox.id == row_id).values(next_attempt_at=now + backoff(attempts)))
    db.session.commit()
    hand_offs = [(row_id, task, payload) for row_id, task, _, payload in rows if HAND_OFF in (payload or {})]
    deliveries = [(row_id, task) for row_id, task, _, payload in rows if HAND_OFF not in (payload or {})]
    return publish(deliveries) + _publish_hand_offs(hand_offs)


def claim(outbox_id: int, now: datetime, outage_wait: float = 0.0) -> Outbox | None:
    """Take a pending row for sending (compare-and-set), or None when it is done, dead or taken.

    Once the claim is committed the row is this caller's: reading it back is retried through a database restart
    for up to ``outage_wait`` seconds (``registry.db_retry``), else the row would wait out its lease unsent."""
    begin_write()
    result = db.session.execute(
        update(Outbox).where(Outbox.id == outbox_id, Outbox.status == "pending")
        .values(status="sending", attempts=Outbox.attempts + 1, next_attempt_at=now + LEASE))
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db_retry.persist(lambda: db.session.get(Outbox, outbox_id), within=outage_wait,
                            what=f"outbox {outbox_id} claimed")


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
