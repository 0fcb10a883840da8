"""Task sent before the transaction commits (reliability.md, "Background work"): 200 submissions, each with a delay
of 50 ms between its last statement and its COMMIT (a ``before_commit`` hook), one in four rolled back by a failure
at that moment, while a real worker (two pool children) consumes the outbox jobs. A job published before the commit
would reach the worker while its row is still invisible (claimed nothing: "skipped"), and a job of a rolled-back
submission would name a row that never existed.

Figures: jobs the worker found no row for ("row not found") = 0; jobs published for rolled-back transactions = 0;
every committed submission's delivery done on its first attempt.
"""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import event, select

from registry.extensions import db
from registry.queues import queue_for
from tests.background import subscribe, wait_for
from tests.worker import WorkerProcess
from tests.workflows.receivers import WebhookSink
from workflows import engine
from workflows.models import Application, Outbox

SUBMISSIONS = 200
DELAY = 0.05  # seconds between the last statement and the COMMIT
ROLLED_BACK_EVERY = 4


class CommitFailed(Exception):
    pass


def _jobs(log: str, what: str) -> int:
    return len(re.findall(r"Task workflows\.send_notification\[[^\]]+\] " + what, log))


@pytest.fixture
def worker(service_urls, private_queue, tmp_path):
    process = WorkerProcess({**service_urls, "queue": private_queue}, concurrency=2)
    process.log_path = tmp_path / "worker.log"
    process.start()
    yield process
    process.stop()


def _queued(app, queue: str) -> int:
    import redis

    client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=2)
    try:
        return client.llen(queue_for(queue, "workflows.send_notification"))
    finally:
        client.close()


def test_jobs_are_published_only_after_commit(app, cast, draft, private_queue, worker, monkeypatch):
    with WebhookSink() as webhook:
        subscribe(cast.town, webhook.url, email=False)
        ids = [draft(product=f"产品{i}").id for i in range(SUBMISSIONS)]
        fail, armed, real_apply = {"now": False}, {"now": False}, engine._apply

        def apply_then_arm(*args, **kwargs):  # the next commit is the submission's own (not begin_write's)
            result = real_apply(*args, **kwargs)
            armed["now"] = True
            return result

        def slow_commit(session):
            if not armed["now"]:
                return
            armed["now"] = False
            time.sleep(DELAY)
            if fail["now"]:
                raise CommitFailed("the database refused the commit")

        monkeypatch.setattr(engine, "_apply", apply_then_arm)

        event.listen(db.session, "before_commit", slow_commit)
        committed, rolled_back = [], []
        try:
            for i, application_id in enumerate(ids):
                fail["now"] = i % ROLLED_BACK_EVERY == ROLLED_BACK_EVERY - 1
                try:
                    engine.apply(application_id, "submit", cast.applicant)
                except CommitFailed:
                    rolled_back.append(application_id)
                else:
                    committed.append(application_id)
        finally:
            event.remove(db.session, "before_commit", slow_commit)

        wait_for(lambda: len(webhook.effect_keys()) >= len(committed), 120, "every committed delivery", [worker])
        # every job published has been taken and run: the queue is empty and each job received has finished
        wait_for(lambda: _queued(app, private_queue) == 0 and _jobs(worker.log(), "received")
                 == _jobs(worker.log(), r"(?:succeeded in [\d.]+s|raised)"), 60, "the worker's log of every job",
                 [worker])
        sent = webhook.effect_keys()
    log = worker.log()
    received = _jobs(log, "received")
    not_found = _jobs(log, r"succeeded in [\d.]+s: 'skipped'")
    db.session.rollback()
    stages = dict(db.session.execute(select(Application.id, Application.stage)).all())
    rows = {row.id: row for row in db.session.scalars(select(Outbox))}
    published_for_rolled_back = received - len(rows)
    print(f"\n{SUBMISSIONS} submissions with {DELAY * 1000:.0f} ms before COMMIT ({len(rolled_back)} rolled back): "
          f"jobs received {received}, row not found {not_found}, published for rolled-back transactions "
          f"{published_for_rolled_back}, deliveries {len(sent)} (each once: {len(set(sent)) == len(sent)})")
    assert len(committed) == SUBMISSIONS - SUBMISSIONS // ROLLED_BACK_EVERY
    assert all(stages[i] == "town_recommendation" for i in committed)
    assert all(stages[i] != "town_recommendation" for i in rolled_back)
    assert not_found == 0 and published_for_rolled_back == 0
    assert len(rows) == len(committed) and {(r.status, r.attempts) for r in rows.values()} == {("done", 1)}
    assert sorted(sent) == sorted(r.effect_key for r in rows.values())
