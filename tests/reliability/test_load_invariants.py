"""The load row of reliability.md: after concurrent traffic, the invariants hold (every application in a legal state
with its history agreeing, the chain intact, notifications tied to their history rows, no outbox row left pending
once the real worker has delivered). ``workflows.services.invariants`` is what the bench and
``flask workflows check`` run; here it must also catch each kind of break."""
from __future__ import annotations

import os
import random
import threading
from pathlib import Path

import pytest

from sqlalchemy import func, select, update

from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from registry.services.errors import Conflict, ValidationFailed
from tests.background import wait_for
from tests.worker import WorkerProcess
from tests.workflows.conftest import cast, draft  # noqa: F401  (fixtures)
from tests.workflows.receivers import SmtpSink
from workflows import definitions, engine
from workflows.models import Application, Notification, NotificationPreference, Outbox, StageRun, Transition
from workflows.services import invariants

APPLICATIONS = int(os.environ.get("LOAD_APPLICATIONS", 24))
CLIENTS = 8
MOVES = (("submit", "applicant"), ("recommend", "town"), ("return_for_info", "town"), ("resubmit", "applicant"),
         ("accept", "bureau"), ("withdraw", "applicant"))


@pytest.fixture
def mail_worker(app, service_urls, monkeypatch):
    """A real worker on a queue of its own whose e-mail goes to a local SMTP server."""
    with SmtpSink() as smtp:
        urls = {**service_urls, "queue": service_urls["queue"] + "-load"}
        worker = WorkerProcess(urls, extra_env={"SMTP_PORT": str(smtp.port)})
        worker.log_path = Path(service_urls["tmp"]) / "worker-load.log"
        worker.start()
        monkeypatch.setitem(app.config, "CELERY_QUEUE", urls["queue"])
        try:
            yield worker, smtp
        finally:
            worker.stop()


def test_after_concurrent_traffic_every_invariant_holds_and_each_break_shows(app, cast, draft, mail_worker):
    worker, smtp = mail_worker
    ids = [draft(product=f"产品{i}").id for i in range(APPLICATIONS)]
    people = {"applicant": cast.applicant.id, "town": cast.town.id, "bureau": cast.bureau.id}
    db.session.add_all([NotificationPreference(user_id=user_id, email_enabled=True) for user_id in people.values()])
    db.session.commit()
    errors: list[str] = []
    acted = [0]
    lock = threading.Lock()

    def client(seed: int):
        rng = random.Random(seed)
        with app.app_context():
            for _ in range(APPLICATIONS * 2):
                action, role = rng.choice(MOVES)
                try:
                    engine.apply(rng.choice(ids), action, db.session.get(User, people[role]),
                                 reason="补充材料" if action in ("return_for_info", "withdraw") else None)
                    with lock:
                        acted[0] += 1
                except (Conflict, ValidationFailed):
                    pass  # not allowed now, or someone else got there first: what a real crowd meets
                except Exception as exc:  # noqa: BLE001  (anything else would be a 500)
                    with lock:
                        errors.append(repr(exc))
                finally:
                    db.session.remove()

    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and acted[0] > APPLICATIONS

    def drained() -> bool:
        db.session.expire_all()
        return not db.session.scalar(select(func.count()).select_from(Outbox)
                                     .where(Outbox.status.in_(("pending", "sending"))))

    wait_for(drained, timeout=120, what="the worker delivering every outbox row", workers=[worker])
    db.session.commit()
    assert invariants.check() == []
    sent = db.session.scalars(select(Outbox.effect_key).where(Outbox.status == "done")).all()
    assert sent and sorted(smtp.effect_keys()) == sorted(sent)  # every e-mail once: lost 0, duplicated 0

    # each break shows
    some = db.session.scalar(select(Application).where(Application.status == "in_progress").limit(1))
    assert some is not None
    notice = db.session.scalar(select(Notification).where(Notification.kind == "transition").limit(1))
    other_stage = next(s.name for s in definitions.get(some.workflow).stages if s.name != some.stage)
    breaks = {
        "unknown status": lambda: db.session.execute(update(Application).where(Application.id == some.id)
                                                    .values(status="approved")),
        "open stage runs": lambda: db.session.execute(update(StageRun).where(StageRun.application_id == some.id)
                                                      .values(ended_at=None)),
        "with open stage runs": lambda: db.session.execute(update(Application).where(Application.id == some.id)
                                                           .values(stage=other_stage)),
        "history ends at": lambda: db.session.execute(update(Transition).where(Transition.id == db.session.scalar(
            select(func.max(Transition.id)).where(Transition.application_id == some.id))).values(to_status="returned")),
        "head does not match": lambda: db.session.execute(update(Application).where(Application.id == some.id)
                                                          .values(chain_seq=Application.chain_seq + 1)),
        "its history row": lambda: db.session.execute(  # tied to another application's history row
            update(Notification).where(Notification.id == notice.id).values(transition_id=db.session.scalar(
                select(Transition.id).where(Transition.application_id != notice.application_id).limit(1)))),
        "outbox rows pending": lambda: db.session.execute(
            update(Outbox).where(Outbox.id == db.session.scalar(select(Outbox.id).limit(1))).values(status="pending")),
    }
    for words, breaking in breaks.items():
        begin_write()
        breaking()
        db.session.flush()
        found = invariants.check()
        db.session.rollback()
        assert any(words in problem for problem in found), (words, found)
    assert invariants.check() == []
