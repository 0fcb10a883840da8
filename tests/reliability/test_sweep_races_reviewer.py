"""Deadline sweep races a reviewer (reliability.md, "Workflow integrity"): in each of 100 rounds (500 in ``make soak``)
the sweep's automatic action and a person's action hit the same stage run at the same moment (two threads, each with
its own app context and database session, released by a barrier). Figure: rounds with exactly one of {decided by the person, moved by
the system} = all rounds, 5xx = 0. Runs on the session's database (SQLite file; PostgreSQL with DATABASE_URL).

No stage of the current definitions closes by itself on timeout (``Auto(..., on_timeout=True)``), so the race is the
one that exists: 品字标 standard drafting, whose automatic "standard published" fires on the sweep as soon as the
linked standard is published, against the bureau ending the cultivation (reject), the bureau recording the
publication itself, or the applicant withdrawing.
"""
from __future__ import annotations

import os
import threading
import time
from collections import Counter

from sqlalchemy import select, update

from registry import clock
from registry.extensions import db
from registry.models import User
from registry.services.errors import Conflict
from tests.workflows.conftest import own_standard, place
from workflows import chain, engine
from workflows.models import Application, Transition
from workflows.services import sweeps

ROUNDS = int(os.environ.get("SWEEP_RACES", "100"))  # reliability.md's 500 in `make soak`
DECISIONS = ("standard_published", "reject", "withdraw")
# The sweep looks through every automatic stage before it acts: the person starts 0-27 ms after it, so that rounds
# land on every part of that window and either side wins some.
STAGGER = 0.003


def _race(app, application_id: int, person_id: int, action: str, delay: float) -> dict[str, str]:
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def person():
        with app.app_context():
            user = db.session.get(User, person_id)
            version = db.session.get(Application, application_id).version
            db.session.commit()
            barrier.wait(timeout=30)
            time.sleep(delay)
            try:
                engine.apply(application_id, action, user, version=version,
                             reason=None if action == "standard_published" else "企业放弃培育")
                results["person"] = "decided"
            except Conflict:
                results["person"] = "409"
            except Exception as exc:  # noqa: BLE001  (anything else would be a 500)
                results["person"] = f"error: {exc!r}"
            finally:
                db.session.remove()

    def sweep():
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                results["system"] = "moved" if sweeps.apply_automatic(clock.now()) == 1 else "none"
            except Exception as exc:  # noqa: BLE001  (a sweep that crashes would leave the stage to nobody)
                results["system"] = f"error: {exc!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=person), threading.Thread(target=sweep)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_sweep_and_reviewer_on_one_stage_run_give_one_decision(app, cast, draft):
    standard = own_standard(cast.enterprise, status="published")  # its own: the sweep needs no confirmation
    outcomes, errors, wrong = Counter(), [], []
    for i in range(ROUNDS):
        application_id = draft(product=f"产品{i}").id
        place(application_id, "standard_drafting", "in_progress")
        db.session.execute(update(Application).where(Application.id == application_id)
                           .values(standard_id=standard.id))  # the sweep's condition holds from now on
        db.session.commit()
        action = DECISIONS[i % len(DECISIONS)]
        person = cast.applicant if action == "withdraw" else cast.bureau
        results = _race(app, application_id, person.id, action, delay=STAGGER * (i % 10))
        db.session.rollback()
        moves = list(db.session.scalars(select(Transition).where(Transition.application_id == application_id,
                                                                  Transition.action.in_(DECISIONS))))
        errors += [r for r in results.values() if r.startswith("error")]
        won = (results.get("person") == "decided") + (results.get("system") == "moved")
        if won != 1 or len(moves) != 1:
            wrong.append((i, action, results, [(m.action, m.actor_id) for m in moves]))
        outcomes[("person" if results.get("person") == "decided" else "system") + f" won ({action})"] += 1
    print(f"\nsweep vs reviewer, {ROUNDS} rounds on {db.engine.dialect.name}: rounds with != 1 decision = "
          f"{len(wrong)}, 5xx = {len(errors)}; {dict(sorted(outcomes.items()))}")
    assert errors == [], errors[:5]
    assert wrong == [], wrong[:5]
    assert chain.verify() == []
