"""A task that hangs (reliability.md, "Background work": a gateway that never answers): per-queue time limits
(``TASK_TIME_LIMITS``, ``registry.celery_app``) on a real worker, a webhook receiver that never answers.

- Hard limit only (no soft limit, as for code that ignores it): the pool process is killed at the hard limit and
  replaced; the outbox row's lease brings the delivery back (the relay, sent a ``now`` past the lease); after the
  configured attempts the row is dead-lettered. Figures: killed at the hard limit every attempt, attempts = limit.
- Soft limit: the delivery is interrupted and records a failed attempt with a clear error at once (no waiting for
  the lease); it is retried by the relay and dead-lettered after its attempts.
"""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Setting
from tests.background import send, subscribe, wait_for
from tests.reliability.receivers import HoldingWebhook
from tests.worker import WorkerProcess
from workflows import dispatch, engine
from workflows.models import Outbox
from workflows.services.outbox import TIMED_OUT

ATTEMPTS = 2


def _worker(service_urls, queue, tmp_path, soft: float | None, hard: float) -> WorkerProcess:
    """A worker with these limits on deliveries (the web side publishes by task name, so the limits in force are
    the worker's own settings)."""
    process = WorkerProcess({**service_urls, "queue": queue}, concurrency=1,
                            extra_env={"TASK_TIME_LIMITS": f"notifications={soft or ''}:{hard}"})
    process.log_path = tmp_path / "worker.log"
    process.start()
    return process


def _row() -> Outbox:
    db.session.rollback()
    (row,) = db.session.scalars(select(Outbox))
    return row


def _submit(cast, draft, url: str) -> None:
    db.session.add(Setting(key="workflows.outbox_max_attempts", value=ATTEMPTS))
    db.session.commit()
    subscribe(cast.town, url, email=False)
    engine.apply(draft().id, "submit", cast.applicant)


@pytest.fixture
def hard_only(service_urls, private_queue, tmp_path):
    process = _worker(service_urls, private_queue, tmp_path, None, 2.0)
    yield process
    process.stop()


@pytest.fixture
def soft_and_hard(service_urls, private_queue, tmp_path):
    process = _worker(service_urls, private_queue, tmp_path, 1.0, 10.0)
    yield process
    process.stop()


def test_a_hanging_delivery_is_killed_at_its_hard_limit_retried_and_dead_lettered(app, cast, draft, private_queue,
                                                                                 hard_only):
    worker = hard_only
    clock = datetime.now(timezone.utc)
    with HoldingWebhook(hold=None) as receiver:
        _submit(cast, draft, receiver.url)
        took = []
        for attempt in range(1, ATTEMPTS + 1):
            receiver.wait_held(timeout=20, max_age=5)
            started = time.monotonic()
            wait_for(lambda: worker.log().count("Hard time limit (2.0s) exceeded for workflows.send_notification")
                     == attempt, 20, f"the hard limit of attempt {attempt}", [worker])
            receiver.wait_settled()  # the killed sender's connection is gone
            took.append(time.monotonic() - started)
            assert (_row().status, _row().attempts) == ("sending", attempt)
            clock += dispatch.LEASE + dispatch.backoff(ATTEMPTS) + timedelta(seconds=1)
            task = send(app, "workflows.relay_outbox", private_queue, now=clock.isoformat())
            wait_for(lambda: f"[{task}] succeeded" in worker.log(), 20, "the relay", [worker])
        row = _row()
        arrivals = len(receiver.arrivals)
    assert (row.status, row.attempts, arrivals) == ("dead", ATTEMPTS, ATTEMPTS)
    assert row.last_error == dispatch.WORKER_LOST
    children = len(set(re.findall(r"ForkPoolWorker-(\d+)", worker.log())))
    print(f"\nhanging delivery, hard limit 2 s: killed at the limit {ATTEMPTS}/{ATTEMPTS} attempts (detected "
          f"{max(took):.1f}s after it was held), pool processes used {children}, dead-lettered after {row.attempts}")


def test_a_hanging_delivery_past_its_soft_limit_records_a_failed_attempt(app, cast, draft, private_queue,
                                                                        soft_and_hard):
    worker = soft_and_hard
    clock = datetime.now(timezone.utc)
    with HoldingWebhook(hold=None) as receiver:
        _submit(cast, draft, receiver.url)
        for attempt in range(1, ATTEMPTS + 1):
            receiver.wait_held(timeout=20, max_age=5)
            wait_for(lambda: _row().attempts == attempt and _row().status != "sending", 20,
                     f"attempt {attempt} to time out", [worker])
            assert _row().last_error == TIMED_OUT
            receiver.wait_settled()
            if attempt < ATTEMPTS:
                assert _row().status == "pending"
                clock += dispatch.backoff(ATTEMPTS) + timedelta(minutes=1)
                send(app, "workflows.relay_outbox", private_queue, now=clock.isoformat())
        row = _row()
        arrivals = len(receiver.arrivals)
    assert (row.status, row.attempts, arrivals) == ("dead", ATTEMPTS, ATTEMPTS)
    assert "Hard time limit" not in worker.log()
    print(f"\nhanging delivery, soft limit 1 s: each attempt ended as a failed attempt ({TIMED_OUT!r}), "
          f"dead-lettered after {row.attempts}")
