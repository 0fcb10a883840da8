"""Beat really stopped (reliability.md, "Background work"; issue 11): real processes and the real clock, no
injected ``now``. A worker and a beat on this test's own queues, the deadline sweep every 2 s (``BEAT_INTERVALS``),
every beat job expiring after half its interval (``BEAT_EXPIRES_FRACTION``).

1. Workers down while beat runs (a weekend outage of the workers, shortened): the sweeps beat queues meanwhile
   are stale when the worker comes back; each is discarded as expired, none runs. Figure: stale sweeps run = 0.
2. Beat down for ``BEAT_DOWN_SECONDS`` (20 s here; 600 s in ``make soak``) while deadlines fall due one after
   another: nothing is swept meanwhile; when beat is back, one sweep applies everything. Figures: missed = 0,
   duplicates = 0 (escalations per stage), stale jobs queued at the restart = 0 (beat sends one sweep, not one per
   missed interval).
"""
from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import redis
from sqlalchemy import select, update

from registry.clock import aware
from registry.extensions import db
from registry.queues import queue_name
from tests.background import wait_for
from tests.worker import BeatProcess, WorkerProcess
from workflows import engine
from workflows.models import Notification, StageRun

BEAT_DOWN = float(os.environ.get("BEAT_DOWN_SECONDS", "20"))
WORKERS_DOWN = 6.0
FALLING_DUE = 6
ENTRY, TASK = "workflows-sweep-deadlines", "workflows.sweep_deadlines"


@pytest.fixture
def stack(service_urls, private_queue, tmp_path):
    urls = {**service_urls, "queue": private_queue}
    env = {"BEAT_INTERVALS": f"{ENTRY}=2", "BEAT_MAX_LOOP_INTERVAL": "1", "BEAT_EXPIRES_FRACTION": "0.5"}
    worker = WorkerProcess(urls, extra_env=env, concurrency=1)
    worker.log_path = tmp_path / "worker.log"
    beat = BeatProcess(urls, tmp_path / "beat.log", env)
    worker.start()
    beat.start()
    yield worker, beat
    beat.stop()
    worker.stop()


def _queued_sweeps(app, queue: str) -> list[str]:
    """Ids of the sweep jobs waiting in the default queue."""
    client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=2)
    try:
        messages = [json.loads(raw) for raw in client.lrange(queue_name(queue, "default"), 0, -1)]
    finally:
        client.close()
    return [m["headers"]["id"] for m in messages if m["headers"]["task"] == TASK]


def _received(worker: WorkerProcess) -> int:
    return len(re.findall(rf"{TASK}\[[^\]]+\] received", worker.log()))


def _escalations() -> Counter:
    db.session.rollback()
    return Counter(db.session.scalars(select(Notification.application_id).where(Notification.kind == "escalation")))


def test_stale_sweeps_expire_and_a_stopped_beat_misses_nothing(app, cast, draft, private_queue, stack):
    worker, beat = stack
    wait_for(lambda: _received(worker) >= 1, 20, "a first sweep", [worker])

    # 1. The worker is down while beat keeps sending.
    worker.stop()
    time.sleep(WORKERS_DOWN)  # the outage itself: real time passing is what is tested
    stale = _queued_sweeps(app, private_queue)
    assert len(stale) >= WORKERS_DOWN / 2 - 2, beat.log()[-2000:]
    worker.start()
    wait_for(lambda: all(f"Discarding revoked task: {TASK}[{i}]" in worker.log() for i in stale), 20,
             "the stale sweeps discarded", [worker])
    stale_run = sum(f"Task {TASK}[{i}] succeeded" in worker.log() for i in stale)
    assert stale_run == 0

    # 2. Deadlines that fall due while beat is down.
    ids = []
    for i in range(FALLING_DUE):
        application = draft(product=f"产品{i}")
        engine.apply(application.id, "submit", cast.applicant)
        ids.append(application.id)
    beat.stop()
    stopped = datetime.now(timezone.utc)
    received_at_stop = _received(worker)
    for n, application_id in enumerate(ids):  # due one after another during the outage
        due = stopped + timedelta(seconds=2 + n * (BEAT_DOWN - 4) / FALLING_DUE)
        db.session.execute(update(StageRun).where(StageRun.application_id == application_id,
                                                  StageRun.ended_at.is_(None)).values(due_at=due, remind_at=due))
    db.session.commit()
    time.sleep(BEAT_DOWN)  # beat really stopped for this long
    swept_meanwhile = _received(worker) - received_at_stop
    assert swept_meanwhile <= 1  # at most one already on its way when beat stopped
    assert not _escalations()
    assert all(aware(run.due_at) <= datetime.now(timezone.utc) for run in db.session.scalars(
        select(StageRun).where(StageRun.application_id.in_(ids), StageRun.ended_at.is_(None))))

    restarted = time.monotonic()
    beat.start()
    queued_at_restart = len(_queued_sweeps(app, private_queue))
    wait_for(lambda: len(_escalations()) == FALLING_DUE, 30, "every escalation", [worker])
    caught_up = time.monotonic() - restarted
    seen = _received(worker)
    wait_for(lambda: _received(worker) >= seen + 3, 30, "three more sweeps", [worker])
    escalations = _escalations()
    missed = FALLING_DUE - len(escalations)
    duplicates = sum(n - 2 for n in escalations.values() if n > 2)  # the bureau and the town: 2 each
    assert (missed, duplicates) == (0, 0) and set(escalations.values()) == {2}
    assert queued_at_restart <= 1
    print(f"\nworkers down {WORKERS_DOWN:.0f}s: {len(stale)} stale sweeps queued, discarded as expired "
          f"{len(stale)}, run {stale_run}; beat stopped {BEAT_DOWN:.0f}s while {FALLING_DUE} deadlines fell due: "
          f"swept meanwhile {swept_meanwhile}, after restart missed = {missed}, duplicates = {duplicates}, stale "
          f"jobs queued at restart = {max(0, queued_at_restart - 1)} (sweeps waiting: {queued_at_restart}), "
          f"caught up in {caught_up:.1f}s")
