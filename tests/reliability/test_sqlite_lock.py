"""SQLite "database is locked" (reliability.md, "Workflow integrity"): 8 threads x 100 writes at once through the
services (each starts its write with ``begin_write``: WAL, busy_timeout, ``BEGIN IMMEDIATE``) on the SQLite file:
new drafts (``applications.start``, which also appends to the history chain), draft edits that read before they
write (``applications.save_draft``) and notification settings (``preferences.save``), each thread with its own app
context and session. Figure: lock errors = 0 of 800 writes (and other errors = 0), with the throughput."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from registry.extensions import db
from registry.models import User
from tests.factories import UserFactory
from workflows import chain
from workflows.models import Application, NotificationPreference
from workflows.services import applications, preferences

THREADS, WRITES = 8, 100
FIELDS = {"product": "高精度汽车齿轮", "standard_proposal": "汽车变速器齿轮", "self_assessment": "自评 85 分"}


def test_8_threads_x_100_writes_without_lock_errors(app, cast):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the row is about SQLite's single write lock; PostgreSQL locks rows and has no 'database is locked'")
    users = [UserFactory(role="enterprise", enterprise=cast.enterprise) for _ in range(THREADS)]
    drafts = [applications.start(u, "pinzibiao", None, dict(FIELDS)) for u in users]
    pairs = [(u.id, d.id) for u, d in zip(users, drafts)]
    db.session.commit()
    barrier = threading.Barrier(THREADS)
    lock_errors, other_errors, slowest = [], [], []
    record = threading.Lock()

    def writer(user_id: int, draft_id: int):
        with app.app_context():
            user = db.session.get(User, user_id)
            version = db.session.get(Application, draft_id).version
            db.session.commit()
            barrier.wait(timeout=60)
            worst = 0.0
            for j in range(WRITES):
                started = time.monotonic()
                try:
                    if j % 3 == 0:
                        applications.start(user, "pinzibiao", None, {**FIELDS, "product": f"产品{user_id}-{j}"})
                    elif j % 3 == 1:
                        applications.save_draft(user, draft_id, version, {**FIELDS, "self_assessment": f"第{j}稿"})
                    else:
                        preferences.save(user, email_enabled=j % 2 == 0, email=None, webhook_enabled=False,
                                         webhook_url=None)
                except OperationalError as exc:
                    db.session.rollback()
                    with record:
                        (lock_errors if "locked" in str(exc) else other_errors).append(repr(exc)[:200])
                except Exception as exc:  # noqa: BLE001
                    db.session.rollback()
                    with record:
                        other_errors.append(repr(exc)[:200])
                worst = max(worst, time.monotonic() - started)
            db.session.remove()
            with record:
                slowest.append(worst)

    threads = [threading.Thread(target=writer, args=pair) for pair in pairs]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    db.session.rollback()
    print(f"\n{THREADS} threads x {WRITES} writes on SQLite: lock errors = {len(lock_errors)}, other errors = "
          f"{len(other_errors)}; {THREADS * WRITES / elapsed:.0f} writes/s, slowest write {max(slowest):.2f}s")
    assert lock_errors == [] and other_errors == [], (lock_errors + other_errors)[:5]
    starts = THREADS * len(range(0, WRITES, 3))
    assert db.session.scalar(select(func.count(Application.id))) == THREADS + starts
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == THREADS
    assert chain.verify() == []
