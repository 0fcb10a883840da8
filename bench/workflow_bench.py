"""Workflow engine benchmark: actions/second through the engine (compare-and-set, chained history, notifications,
outbox, publish) under 16 concurrent clients, and end-to-end notification latency (action → webhook received by a
real worker), with 100,000 applications in the database.

    DATABASE_URL=postgresql://root@127.0.0.1:5432/test .venv/bin/python bench/workflow_bench.py

Creates its own database (PostgreSQL) or SQLite file, its own redis-server on a free port and its own worker;
everything runs on 127.0.0.1 and stops by itself.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", 100_000))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 16))
ACTIONS = int(os.environ.get("BENCH_ACTIONS", 3200))
LATENCY_SAMPLES = int(os.environ.get("BENCH_LATENCY_SAMPLES", 50))


def seed(db, n: int):
    from sqlalchemy import insert, select

    from registry.models import Enterprise, Industry, Jurisdiction, User
    from tests.factories import make_uscc
    from workflows.models import Application, NotificationPreference, StageRun

    home = db.session.scalar(select(Jurisdiction).order_by(Jurisdiction.sort_order))
    industry = db.session.scalar(select(Industry))
    db.session.execute(insert(Enterprise), [
        {"name": f"基准企业{i}", "uscc": make_uscc(50_000 + i), "jurisdiction_id": home.id, "industry_id": industry.id,
         "above_scale": True, "version": 1} for i in range(1000)])
    enterprise_ids = list(db.session.scalars(select(Enterprise.id)))
    town = User(email="town@bench", display_name="镇街", password_hash="x", role="town", jurisdiction_id=home.id)
    bureau = User(email="bureau@bench", display_name="市局", password_hash="x", role="bureau")
    db.session.add_all([town, bureau])
    db.session.commit()
    now = datetime.now(timezone.utc)
    for start in range(0, n, 5000):
        rows = [{"workflow": "pinzibiao", "definition_version": 1, "enterprise_id": enterprise_ids[i % 1000],
                 "title": f"产品{i}", "stage": "town_recommendation", "status": "in_progress", "version": 2,
                 "data": {"product": f"产品{i}"}, "paused": False, "created_at": now, "updated_at": now}
                for i in range(start, min(n, start + 5000))]
        db.session.execute(insert(Application), rows)
        db.session.commit()
    db.session.execute(insert(StageRun).from_select(
        ["application_id", "stage", "started_at"],
        select(Application.id, Application.stage, Application.created_at)))
    db.session.commit()
    return town.id, bureau.id


def main():
    tmp = tempfile.mkdtemp(prefix="wf-bench-")
    os.environ["REGISTRY_ENV"] = "testing"
    from tests.services import test_database
    from tests.workflows.receivers import WebhookSink
    from tests.workflows.test_redis_outage import PrivateRedis

    redis_server = PrivateRedis(tmp)
    redis_server.start()
    with test_database(tmp) as url, WebhookSink() as sink:
        received: dict[str, float] = {}
        original = sink.server.RequestHandlerClass.do_POST

        def stamped(handler):
            original(handler)
            received[sink.bodies[-1]["effect_key"]] = time.monotonic()

        sink.server.RequestHandlerClass.do_POST = stamped
        from registry import create_app
        from registry.extensions import db
        from registry.seeds.catalogues import seed_catalogues

        queue = "wf-bench"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_server.url, "INSTANCE_DIR": tmp,
                          "CELERY_QUEUE": queue})
        with app.app_context():
            db.create_all()
            seed_catalogues()
            t0 = time.monotonic()
            town_id, bureau_id = seed(db, APPLICATIONS)
            print(f"database: {db.engine.dialect.name}; seeded {APPLICATIONS} applications in "
                  f"{time.monotonic() - t0:.1f}s")
            from workflows.models import NotificationPreference

            db.session.add(NotificationPreference(user_id=bureau_id, webhook_enabled=True, webhook_url=sink.url))
            db.session.commit()
            from sqlalchemy import select

            from workflows.models import Application

            ids = list(db.session.scalars(select(Application.id).order_by(Application.id)))
        throughput(app, ids[:ACTIONS], town_id)
        latency(app, ids[ACTIONS:ACTIONS + LATENCY_SAMPLES], town_id, bureau_id, url, redis_server, queue, tmp,
                received)
        with app.app_context():
            from workflows.services import invariants

            problems = invariants.check()
            print(f"invariants after the run (legal states, history, chain, notifications, outbox drained): "
                  f"{'all hold' if not problems else problems[:10]}")
            db.session.remove()
            db.engine.dispose()
    redis_server.stop()


def throughput(app, ids, town_id):
    from registry.extensions import db
    from registry.models import User
    from workflows import engine

    chunks = [ids[i::CLIENTS] for i in range(CLIENTS)]
    timings: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def client(chunk):
        with app.app_context():
            town = db.session.get(User, town_id)
            db.session.commit()
            barrier.wait()
            for application_id in chunk:
                started = time.monotonic()
                try:
                    engine.apply(application_id, "recommend", town, version=2)
                except Exception as exc:  # noqa: BLE001
                    with lock:
                        errors.append(repr(exc))
                    continue
                with lock:
                    timings.append(time.monotonic() - started)
            db.session.remove()

    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    timings.sort()
    q = lambda p: timings[min(len(timings) - 1, int(p * len(timings)))] * 1000  # noqa: E731
    print(f"throughput: {len(timings)} actions by {CLIENTS} concurrent clients in {elapsed:.1f}s = "
          f"{len(timings) / elapsed:.0f} actions/s; latency p50 {q(0.5):.1f} ms, p95 {q(0.95):.1f} ms, "
          f"p99 {q(0.99):.1f} ms; errors {len(errors)} {errors[:3]}")


def latency(app, ids, town_id, bureau_id, url, redis_server, queue, tmp, received):
    from registry.extensions import db
    from registry.models import User
    from tests.worker import WorkerProcess
    from workflows import engine

    worker = WorkerProcess({"database": url, "redis": redis_server.url, "queue": queue, "tmp": tmp}, concurrency=4)
    worker.start()
    try:
        # Let the worker drain the throughput phase's deliveries first.
        time.sleep(2)
        with app.app_context():
            from sqlalchemy import func, select

            from workflows.models import Outbox

            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                db.session.rollback()
                left = db.session.scalar(select(func.count(Outbox.id)).where(Outbox.status != "done"))
                if left == 0:
                    break
                time.sleep(1)
            print(f"backlog from the throughput phase drained: {left == 0} (left {left})")
            town = db.session.get(User, town_id)
            samples = []
            for application_id in ids:
                started = time.monotonic()
                outcome = engine.apply(application_id, "recommend", town, version=2)
                key = f"t{outcome.transition_id}:u{bureau_id}:webhook"
                while key not in received and time.monotonic() - started < 30:
                    time.sleep(0.002)
                samples.append((received.get(key, float("inf")) - started) * 1000)
            samples.sort()
            print(f"end-to-end notification latency (action → webhook received), {len(samples)} samples: "
                  f"p50 {statistics.median(samples):.0f} ms, p95 {samples[int(0.95 * len(samples)) - 1]:.0f} ms, "
                  f"max {samples[-1]:.0f} ms")
    finally:
        worker.stop()


if __name__ == "__main__":
    main()
