"""32 reviewers acting on one stage at once: exactly one transition, the others "already processed" (409), no 500.
Runs on whatever database the session uses (SQLite file by default; PostgreSQL with DATABASE_URL)."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import User
from registry.services.errors import Conflict
from workflows import chain, engine
from workflows.models import Application, Transition

THREADS, ROUNDS = 32, 10


def _race(app, application_id: int, user_id: int, version: int) -> list[str]:
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def worker(i: int):
        with app.app_context():
            user = db.session.get(User, user_id)
            db.session.commit()  # hand the connection back: 32 waiting threads must not hold the pool
            action, reason = ("recommend", None) if i % 2 == 0 else ("reject", "不符合条件")
            try:
                barrier.wait(timeout=60)
                engine.apply(application_id, action, user, reason=reason, version=version)
                outcome = "ok"
            except Conflict:
                outcome = "409"
            except Exception as exc:  # noqa: BLE001  (anything else would be a 500)
                outcome = f"error: {exc!r}"
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_32_threads_on_one_stage_give_one_transition(app, cast, draft):
    for _ in range(ROUNDS):
        application = draft()
        engine.apply(application.id, "submit", cast.applicant)
        version = db.session.get(Application, application.id).version
        application_id, town_id = application.id, cast.town.id
        db.session.commit()  # end the read snapshot so the checks below see the threads' commits
        results = _race(app, application_id, town_id, version)
        assert results.count("ok") == 1, results
        assert results.count("409") == THREADS - 1, results
        moves = db.session.scalar(select(func.count(Transition.id)).where(
            Transition.application_id == application_id, Transition.action.in_(("recommend", "reject"))))
        assert moves == 1
        db.session.expire_all()
        assert db.session.get(Application, application_id).version == version + 1
    assert chain.verify() == []
