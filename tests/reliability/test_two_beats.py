"""Two beats started by mistake (reliability.md, "Background work"): beat keeps its schedule in Redis and holds a
lock there (celery-redbeat, ``registry.celery_app``), so a second beat waits for the lock instead of sending every
job a second time; when the first beat stops, the second takes over.

Two real ``celery beat`` processes and a real worker on this test's own queues, the deadline sweep every second
(``BEAT_INTERVALS``), overdue applications to escalate. Figures: sweeps sent by the second beat while the first
runs = 0, sweeps the worker received = sweeps sent by the first, escalations per overdue stage = 1 (to the bureau
and the town: 2 notifications), the takeover time after the first beat stops.
"""
from __future__ import annotations

import re
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from registry.extensions import db
from tests.background import wait_for
from tests.worker import BeatProcess, WorkerProcess
from workflows import engine
from workflows.models import Notification

OVERDUE = 4
SWEEPS = 6  # sweeps the first beat sends while both run
ENTRY = "workflows-sweep-deadlines"


@pytest.fixture
def stack(service_urls, private_queue, tmp_path):
    urls = {**service_urls, "queue": private_queue}
    env = {"BEAT_INTERVALS": f"{ENTRY}=1", "BEAT_LOCK_TIMEOUT": "30", "BEAT_MAX_LOOP_INTERVAL": "1"}
    worker = WorkerProcess(urls, extra_env=env, concurrency=1)
    worker.log_path = tmp_path / "worker.log"
    beats = [BeatProcess(urls, tmp_path / f"beat{i}.log", env) for i in (1, 2)]
    worker.start()
    yield worker, beats
    for process in (*beats, worker):
        process.stop()


def _received(worker: WorkerProcess) -> int:
    return len(re.findall(r"workflows\.sweep_deadlines\[[^\]]+\] received", worker.log()))


def _escalations() -> Counter:
    db.session.rollback()
    return Counter(db.session.scalars(select(Notification.application_id).where(Notification.kind == "escalation")))


def test_a_second_beat_sends_nothing_while_the_first_holds_the_lock(app, cast, draft, stack):
    worker, (first, second) = stack
    long_ago = datetime.now(timezone.utc) - timedelta(days=40)
    overdue = []
    for i in range(OVERDUE):
        application = draft(product=f"产品{i}")
        engine.apply(application.id, "submit", cast.applicant, now=long_ago)
        overdue.append(application.id)

    first.start()
    second.start()  # it waits for the lock the first one holds
    both_running = first.sent(ENTRY)
    wait_for(lambda: first.sent(ENTRY) >= both_running + SWEEPS, 30, f"{SWEEPS} more sweeps from the first beat",
             [worker])
    wait_for(lambda: _received(worker) >= first.sent(ENTRY) - 1, 10, "the worker to receive them", [worker])
    sent_first, sent_second, received = first.sent(ENTRY), second.sent(ENTRY), _received(worker)
    assert sent_second == 0, second.log()[-3000:]
    assert received in (sent_first - 1, sent_first)  # one may still be on its way
    wait_for(lambda: len(_escalations()) == OVERDUE, 20, "the escalations", [worker])

    stopped = time.monotonic()
    first.stop()  # releases the lock on the way out
    wait_for(lambda: second.sent(ENTRY) >= 1, 30, "the second beat to take over", [worker])
    takeover = time.monotonic() - stopped
    escalations = _escalations()
    assert escalations == {i: 2 for i in overdue}  # the bureau and the town, once per overdue stage
    print(f"\ntwo beats, deadline sweep every 1 s: first beat sent {sent_first} ({sent_first - both_running} while "
          f"both ran), second sent {sent_second} while the first held the lock; worker received {received}; escalations per overdue stage "
          f"{set(escalations.values())} notifications (once each); second beat took over {takeover:.1f}s after "
          f"the first stopped")
