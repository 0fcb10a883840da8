"""Worker killed mid-task (reliability.md, "Background work"): SIGKILL while notification deliveries from the outbox
are in flight, on a real worker process (one pool child, prefetch 1, ``task_acks_late`` and
``task_reject_on_worker_lost`` as configured in ``registry.celery_app``) and a webhook receiver that keeps each
delivery waiting 0.8 s for its answer.

- 5 kills of the pool child (Celery forks a new one; the killed job comes back from the broker and finds its row
  taken), and separately 5 kills of the main process (restarted by the test), each while a delivery is at the
  receiver; 1.5 deliveries per kill, plus two, per test (some finish before a kill can catch them). Figures:
  lost = 0, duplicate effects = 0, the time until a worker consumes again, and the time to deliver what was killed once the rows' lease (``dispatch.LEASE``, 5 minutes in
  production; the relay is sent a ``now`` past it) has run out.
- A delivery that kills its worker every time (a poison job) is dead-lettered after the configured number of
  attempts (3 here) instead of being re-sent forever.

5 kills of each kind in the suite, the 20 of reliability.md in ``make soak`` (WORKER_KILLS=20): each costs a fork or
a worker start on this 2-CPU machine.
"""
from __future__ import annotations

import os
import re
import signal
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

KILLS = int(os.environ.get("WORKER_KILLS", "5"))  # reliability.md's 20 in `make soak`
SUBMISSIONS = KILLS * 3 // 2 + 2  # one webhook delivery each: KILLS of them are killed, the rest go through at once
HOLD = 0.8  # seconds the receiver keeps each delivery waiting for its answer
FRESH = 0.25  # kill within this long after the delivery reached the receiver: well inside HOLD


@pytest.fixture
def worker(service_urls, private_queue, tmp_path):
    """A worker of this test's own with one pool child, so the child killed is the one waiting on the receiver."""
    process = WorkerProcess({**service_urls, "queue": private_queue}, concurrency=1)
    process.log_path = tmp_path / "worker.log"
    process.start()
    yield process
    process.stop()


def _submit_all(cast, draft, url: str) -> set[str]:
    subscribe(cast.town, url, email=False)
    ids = [draft(product=f"产品{i}").id for i in range(SUBMISSIONS)]
    for application_id in ids:
        engine.apply(application_id, "submit", cast.applicant)  # publishes its delivery after commit
    keys = set(db.session.scalars(select(Outbox.effect_key)))
    assert len(keys) == SUBMISSIONS
    return keys


def _rows() -> dict[str, Outbox]:
    db.session.rollback()
    return {row.effect_key: row for row in db.session.scalars(select(Outbox))}


def _recover(app, queue: str, worker: WorkerProcess, timeout: float = 30.0) -> float:
    """Run the relay as beat would, on a clock past the lease of the killed rows, until every row is done;
    returns the seconds that took."""
    started = time.monotonic()
    later = datetime.now(timezone.utc) + dispatch.LEASE + timedelta(seconds=1)
    send(app, "workflows.relay_outbox", queue, now=later.isoformat())
    wait_for(lambda: all(r.status == "done" for r in _rows().values()), timeout, "every delivery done", [worker])
    return time.monotonic() - started


def _check_exactly_once(expected: set[str], receiver: HoldingWebhook) -> tuple[int, int]:
    """Every delivery accepted once; those abandoned by a dead sender took a second attempt, the others one."""
    lost = expected - set(receiver.accepted)
    duplicates = {k for k in receiver.accepted if receiver.accepted.count(k) > 1}
    assert not lost and not duplicates, (lost, duplicates)
    assert set(receiver.accepted) == expected
    rows = _rows()
    resent = set(receiver.abandoned)
    assert {k: rows[k].attempts for k in expected} == {k: 2 if k in resent else 1 for k in expected}
    return len(lost), len(duplicates)


def test_pool_child_killed_mid_delivery(app, cast, draft, private_queue, worker):
    with HoldingWebhook(hold=HOLD) as receiver:
        expected = _submit_all(cast, draft, receiver.url)
        killed, back_after = [], []
        for _ in range(KILLS):
            killed.append(receiver.wait_held(max_age=FRESH))
            (child,) = worker.pool_pids()
            os.kill(child, signal.SIGKILL)
            t0 = time.monotonic()
            while worker.pool_pids() in ([], [child]):
                assert time.monotonic() - t0 < 20, worker.log()[-3000:]
                time.sleep(0.05)
            back_after.append(time.monotonic() - t0)
        wait_for(lambda: sum(r.status == "done" for r in _rows().values()) == SUBMISSIONS - KILLS,
                 what="the deliveries nobody killed", workers=[worker])
        # task_reject_on_worker_lost: each killed job comes back from the broker, and finds its row taken
        wait_for(lambda: len(re.findall(r"succeeded in [\d.]+s: 'skipped'", worker.log())) == KILLS,
                 what="the killed jobs redelivered", workers=[worker])
        receiver.wait_settled()
        assert sorted(receiver.abandoned) == sorted(killed), "a kill did not hit a delivery in flight"
        assert {r.status for k, r in _rows().items() if k in killed} == {"sending"}
        recovery = _recover(app, private_queue, worker)
        receiver.wait_settled()
        lost, duplicates = _check_exactly_once(expected, receiver)
    print(f"\npool child SIGKILLed {KILLS}x mid-delivery ({SUBMISSIONS} deliveries): lost = {lost}, duplicate "
          f"effects = {duplicates}; new pool child after max {max(back_after):.2f}s; after the lease "
          f"({dispatch.LEASE}) every killed delivery done in {recovery:.1f}s; receiver arrivals "
          f"{len(receiver.arrivals)}, abandoned by a dead sender {len(receiver.abandoned)}")


def test_main_process_killed_mid_delivery(app, cast, draft, private_queue, worker):
    """The main process dies; its pool child dies with it (Celery sets the children's parent-death signal), so the
    delivery in flight is abandoned and re-sent after the lease, and its job stays unacknowledged in Redis until
    the visibility timeout (an hour); the restarted worker takes the rest of the queue."""
    with HoldingWebhook(hold=HOLD) as receiver:
        expected = _submit_all(cast, draft, receiver.url)
        killed, orphans, restarts = [], [], []
        for _ in range(KILLS):
            killed.append(receiver.wait_held(max_age=FRESH))
            orphans += worker.kill_main()
            t0 = time.monotonic()
            worker.start()
            restarts.append(time.monotonic() - t0)
        stuck = WorkerProcess.wait_gone(orphans)
        wait_for(lambda: sum(r.status == "done" for r in _rows().values()) == SUBMISSIONS - KILLS,
                 what="the deliveries nobody killed", workers=[worker])
        receiver.wait_settled()
        assert sorted(receiver.abandoned) == sorted(killed), "a kill did not hit a delivery in flight"
        assert {r.status for k, r in _rows().items() if k in killed} == {"sending"}
        recovery = _recover(app, private_queue, worker)
        receiver.wait_settled()
        lost, duplicates = _check_exactly_once(expected, receiver)
    assert not stuck, f"orphaned pool children still running: {stuck}"
    print(f"\nmain worker process SIGKILLed {KILLS}x mid-delivery ({SUBMISSIONS} deliveries): lost = {lost}, "
          f"duplicate effects = {duplicates}; worker consuming again after max {max(restarts):.1f}s (restart); "
          f"after the lease ({dispatch.LEASE}) every killed delivery done in {recovery:.1f}s; receiver arrivals "
          f"{len(receiver.arrivals)}, abandoned by a dead sender {len(receiver.abandoned)}")


def test_delivery_that_kills_its_worker_every_time_is_dead_lettered(app, cast, draft, private_queue, worker):
    limit = 3
    db.session.add(Setting(key="workflows.outbox_max_attempts", value=limit))
    db.session.commit()
    with HoldingWebhook(hold=None) as receiver:  # never answers: every attempt ends with the worker killed
        subscribe(cast.town, receiver.url, email=False)
        engine.apply(draft().id, "submit", cast.applicant)
        (row,) = _rows().values()
        clock = datetime.now(timezone.utc)
        for _ in range(limit + 2):  # give it more chances than it should take
            receiver.wait_held(timeout=20, max_age=5)
            (child,) = worker.pool_pids()
            os.kill(child, signal.SIGKILL)
            receiver.wait_settled()
            clock += dispatch.LEASE + dispatch.backoff(limit) + timedelta(seconds=1)
            send(app, "workflows.relay_outbox", private_queue, now=clock.isoformat())  # beat, after the lease
            wait_for(lambda: _rows()[row.effect_key].status in ("pending", "dead") or receiver.holding,
                     what="the relay", workers=[worker])
            if _rows()[row.effect_key].status == "dead":
                break
        final = _rows()[row.effect_key]
        arrivals = len(receiver.arrivals)
    assert (final.status, final.attempts, arrivals) == ("dead", limit, limit), (final.status, final.attempts, arrivals)
    assert "worker" in (final.last_error or "")
    print(f"\npoison delivery (worker killed on every attempt): dead-lettered after {final.attempts} attempts "
          f"(limit {limit}), attempts made {arrivals}")
