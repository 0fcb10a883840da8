"""32 reviewers acting on one stage at once: exactly one transition, the others "already processed" (409), no 500.
Runs on whatever database the session uses (SQLite file by default; PostgreSQL with DATABASE_URL)."""
from __future__ import annotations

import os
import threading

import pytest

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import User
from registry.services.errors import Conflict
from workflows import chain, engine
from workflows.models import Application, Transition

THREADS = 32
ROUNDS = int(os.environ.get("RACE_ROUNDS", "10"))  # reliability.md's 200 in `make soak`


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
    print(f"\n{THREADS} threads (recommend/reject) on one stage, {ROUNDS} rounds on {db.engine.dialect.name}: rounds "
          f"with != 1 transition = 0, losers 409 = {THREADS - 1} per round, 5xx = 0")


def test_compare_and_set_refuses_a_stale_expectation_on_every_backend(app, cast, draft):
    """The compare-and-set is the last line of defence: on PostgreSQL the engine reads the application under lock
    (FOR UPDATE), and the UPDATE's row count would still tell a loser that got past it; on SQLite the writer lock serialises them first, so the race above
    cannot reach it. Called with what a loser had read (an old version, an old status), it must refuse and change
    nothing, whatever the backend."""
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)
    application = db.session.get(Application, application.id)
    workflow = engine.definition_of(application)
    stage = workflow.stage(application.stage)
    recommend = stage.action("recommend")
    seen_version, seen_status = application.version, application.status
    engine.apply(application.id, "recommend", cast.town)  # someone else got there first
    db.session.expire_all()
    after = db.session.get(Application, application.id)
    moved_to = (after.stage, after.status, after.version)
    target = engine._target(workflow, stage, recommend)
    with pytest.raises(Conflict):
        engine._compare_and_set(after, stage, seen_status, seen_version, recommend,
                                {"stage": target.name, "status": "in_progress", "version": seen_version + 1,
                                 "updated_at": after.updated_at})
    db.session.rollback()
    db.session.expire_all()
    again = db.session.get(Application, application.id)
    assert (again.stage, again.status, again.version) == moved_to
