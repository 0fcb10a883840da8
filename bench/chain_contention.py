"""Bench (issue 16 item 2): do actions on different applications still queue behind each other?

The history is one hash chain per application (``workflows.chain``, migration 0021): an action locks only its own
application's row (the engine's compare-and-set) until it commits. This bench drives the real engine
(``workflows.engine.apply``) from 32 threads, each with its own database connection, in two shapes:

- **32 on 32**: each thread acts on its own application (no row is shared, so nothing should queue);
- **32 on 1**: every thread acts on the same application (each waits for the one row lock: the queue a global
  chain head used to put every action in).

and, as a reference, one thread alone. It prints actions/s, latency p50/p95, conflicts and errors, and the load
average (the machine is shared; compare the shapes with each other, measured in the same run).

To let 32 threads act on one application at all, the action is *non-exclusive* (``exclusive=False``: it records
itself without bumping the version, as one expert's score among several does; it still takes the row lock with
its compare-and-set): a small bench-only workflow ``bench_note`` with one stage and one action ``note``, added to
the bench app's table of definitions only. Everything else is the production path: visibility and relation
checks, the compare-and-set, the chained history row, the notification query, one commit per action.

    DATABASE_URL=postgresql://root@127.0.0.1:5432/test python -m bench.chain_contention [--seconds 10]

Uses its own database ``chain_bench`` on that server (dropped and recreated; the database in the URL is not
touched). PostgreSQL only: SQLite serialises every writer anyway.
"""
from __future__ import annotations

import argparse
import os
import threading
import time

from bench.common import out, percentile, recreate_database, redis_url, instance_dir
from workflows.spec import DRAFT, Stage, Workflow, act

THREADS = 32
WORKFLOW = Workflow(
    name="bench_note", version=1, label="压测备注流程",
    stages=(Stage(name="review", label="审核", actors=frozenset({"bureau"}), actions=(
        act("note", "备注", {"bureau"}, status=DRAFT, from_statuses={DRAFT}, exclusive=False),)),
            Stage(name="closed", label="结束", actors=frozenset(), actions=(), final=True)))


def _register_bench_workflow(app) -> None:
    """Add ``bench_note`` to this app's table of definitions (``workflows.definitions``)."""
    from workflows import definitions

    app.extensions[definitions.EXTENSION].add(WORKFLOW)


def _database_url() -> str:
    from sqlalchemy.engine import make_url

    base = os.environ.get("DATABASE_URL", "")
    url = make_url(base.replace("postgres://", "postgresql://", 1))
    if not url.drivername.startswith("postgresql"):
        raise SystemExit("chain_contention needs DATABASE_URL on PostgreSQL (SQLite serialises all writers).")
    return url.set(drivername="postgresql+psycopg", database="chain_bench").render_as_string(hide_password=False)


def _setup(url: str):
    """Fresh database, real migrations, catalogues, one bureau account, THREADS enterprises with one application
    each (created through ``engine.start``). Returns the app, the user id and the application ids."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from registry import create_app
    from registry.extensions import db
    from registry.models import Enterprise, Industry, Jurisdiction, User
    from registry.seeds.catalogues import seed_catalogues
    from tests.factories import make_uscc
    from workflows import engine

    recreate_database(url)
    os.environ.setdefault("REGISTRY_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": redis_url(), "INSTANCE_DIR": instance_dir(),
                      "CELERY_QUEUE": "chain-bench", "RATELIMIT_ENABLED": False,
                      "DB_POOL_SIZE": THREADS + 4, "DB_MAX_OVERFLOW": 0})
    _register_bench_workflow(app)
    with app.app_context():
        upgrade()
        seed_catalogues()
        town = db.session.scalar(select(Jurisdiction).order_by(Jurisdiction.sort_order))
        industry = db.session.scalar(select(Industry))
        db.session.execute(insert(Enterprise), [
            {"name": f"压测企业{i}", "uscc": make_uscc(70_000 + i), "jurisdiction_id": town.id,
             "industry_id": industry.id, "above_scale": True, "version": 1} for i in range(THREADS)])
        user = User(email="chain@bench", display_name="市局", password_hash="x", role="bureau")
        db.session.add(user)
        db.session.commit()
        ids = []
        for enterprise_id in db.session.scalars(select(Enterprise.id).order_by(Enterprise.id)):
            application = engine.start(WORKFLOW.name, enterprise_id, user, title="压测", data={})
            db.session.commit()
            ids.append(application.id)
        return app, user.id, ids


def run_shape(app, user_id: int, targets: list[int], seconds: float) -> dict:
    """Thread i acts on ``targets[i]`` with ``note`` until ``seconds`` pass; all start together."""
    from sqlalchemy.exc import OperationalError

    from registry.extensions import db
    from registry.models import User
    from registry.services.errors import Conflict
    from workflows import engine

    latencies: list[float] = []
    counts = {"conflicts": 0, "errors": 0}
    lock = threading.Lock()
    barrier = threading.Barrier(len(targets) + 1)
    window: dict[str, float] = {}

    def client(application_id: int) -> None:
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.commit()
            mine: list[float] = []
            barrier.wait()
            until = window["until"]
            while time.perf_counter() < until:
                started = time.perf_counter()
                try:
                    engine.apply(application_id, "note", user)
                except Conflict:
                    with lock:
                        counts["conflicts"] += 1
                    continue
                except OperationalError:  # a lock or statement timeout
                    with lock:
                        counts["errors"] += 1
                    continue
                mine.append((time.perf_counter() - started) * 1000)
            with lock:
                latencies.extend(mine)
            db.session.remove()

    threads = [threading.Thread(target=client, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    window["until"] = time.perf_counter() + 0.1 + seconds
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {"actions": len(latencies), "seconds": elapsed, "rate": len(latencies) / elapsed,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), **counts,
            "load": os.getloadavg()[0]}


def chain_problems(app) -> list[str]:
    """``workflows.chain.verify`` over everything the run wrote (what ``flask verify-chain`` checks)."""
    from workflows import chain

    with app.app_context():
        return chain.verify()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per shape")
    parser.add_argument("--rounds", type=int, default=2, help="each shape is run this many times, alternating")
    args = parser.parse_args(argv)
    url = _database_url()
    app, user_id, ids = _setup(url)
    out(f"{THREADS} applications on {url.split('@')[-1]}; {args.seconds:.0f} s per shape; "
        f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    shapes = {"1 thread on 1 application": [ids[0]],
              f"{THREADS} threads on {THREADS} applications": ids,
              f"{THREADS} threads on 1 application": [ids[0]] * THREADS}
    results: dict[str, list[dict]] = {label: [] for label in shapes}
    run_shape(app, user_id, ids, 1.0)  # warm-up: connections, caches
    for _ in range(args.rounds):
        for label, targets in shapes.items():
            results[label].append(run_shape(app, user_id, targets, args.seconds))
    out(f"{'shape':<36} {'actions':>8} {'actions/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'conflicts':>9} "
        f"{'errors':>6} {'load':>5}")
    for label, runs in results.items():
        for r in runs:
            out(f"{label:<36} {r['actions']:>8} {r['rate']:>10.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                f"{r['conflicts']:>9} {r['errors']:>6} {r['load']:>5.1f}")
    best = {label: max(r["rate"] for r in runs) for label, runs in results.items()}
    many, one = best[f"{THREADS} threads on {THREADS} applications"], best[f"{THREADS} threads on 1 application"]
    out(f"{THREADS} threads on {THREADS} applications vs on 1: {many:.0f} vs {one:.0f} actions/s = {many / one:.1f}x "
        f"(best round of each)")
    problems = chain_problems(app)
    out(f"history chain after the run: {'intact' if not problems else 'BROKEN: ' + '; '.join(problems[:3])}")
    with app.app_context():
        from registry.extensions import db

        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
