"""Through a real Celery worker process on real Redis: a transition's e-mail and webhook arrive exactly once, and
the deadline sweep (called with an injected ``now``) reminds before the deadline and escalates after it, once."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.extensions import db
from tests import background
from tests.background import send, subscribe
from tests.worker import WorkerProcess
from tests.workflows.receivers import SmtpSink, WebhookSink
from workflows import engine
from workflows.models import Notification, Outbox, StageRun


_LOGS: list[WorkerProcess] = []


@pytest.fixture(scope="module")
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def webhook():
    with WebhookSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def wf_worker(app, service_urls, smtp):
    """A real worker (tests.worker.WorkerProcess, as the celery_worker fixture) on a queue of its own, whose
    configuration points its SMTP at this module's local server."""
    urls = {**service_urls, "queue": service_urls["queue"] + "-wf"}
    worker = WorkerProcess(urls, extra_env={"SMTP_PORT": str(smtp.port)})
    worker.log_path = Path(service_urls["tmp"]) / "worker-workflows.log"
    worker.start()
    _LOGS.append(worker)
    yield worker
    worker.stop()


@pytest.fixture
def queue(app, wf_worker, monkeypatch):
    monkeypatch.setitem(app.config, "CELERY_QUEUE", wf_worker.service_urls["queue"])
    return wf_worker.service_urls["queue"]


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    background.wait_for(condition, timeout, what, workers=_LOGS)


def ran(worker, task_ids: list[str]) -> None:
    """Wait for the worker's log to show each of these tasks finished (instead of sleeping and hoping)."""
    wait_for(lambda: all(background.finished(worker, t) >= 1 for t in task_ids), what="the jobs run")


def test_transition_email_and_webhook_arrive_exactly_once(app, cast, draft, queue, smtp, webhook, wf_worker):
    subscribe(cast.town, webhook.url)
    application = draft()
    outcome = engine.apply(application.id, "submit", cast.applicant)
    key = f"t{outcome.transition_id}:u{cast.town.id}"
    wait_for(lambda: f"{key}:email" in smtp.effect_keys() and f"{key}:webhook" in webhook.effect_keys(),
             what="e-mail and webhook")
    # Give duplicates every chance: the relay with a clock an hour ahead, and the same jobs delivered again.
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    tasks = [send(app, "workflows.relay_outbox", queue, now=later)]
    for outbox_id in db.session.scalars(select(Outbox.id)):
        for _ in range(3):
            tasks.append(send(app, "workflows.send_notification", queue, outbox_id=outbox_id))
    ran(wf_worker, tasks)
    assert smtp.effect_keys().count(f"{key}:email") == 1
    assert webhook.effect_keys().count(f"{key}:webhook") == 1
    message = next(m for m in smtp.messages if m["X-Registry-Effect"] == f"{key}:email")
    from email.header import decode_header, make_header

    assert message["To"] == cast.town.email and "提交申请" in str(make_header(decode_header(message["Subject"])))
    assert {o.status for o in db.session.scalars(select(Outbox))} == {"done"}


def test_reminder_and_escalation_fire_when_the_clock_passes(app, cast, draft, queue, webhook, wf_worker):
    subscribe(cast.town, webhook.url)
    t0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # Monday; due end of Monday 9 March (Linhai)
    application = draft()
    engine.apply(application.id, "submit", cast.applicant, now=t0)
    run = db.session.scalar(select(StageRun).where(StageRun.application_id == application.id,
                                                   StageRun.ended_at.is_(None)))
    run_id = run.id

    def notes(kind):
        return db.session.scalars(select(Notification).where(Notification.kind == kind,
                                                             Notification.application_id == application.id)).all()

    before = t0 + timedelta(days=1)
    ran(wf_worker, [send(app, "workflows.sweep_deadlines", queue, now=before.isoformat())])
    assert notes("reminder") == [] and notes("escalation") == []

    remind_time = datetime(2026, 3, 5, 1, 0, tzinfo=timezone.utc)  # Thursday, 2 working days before
    for _ in range(2):  # a second sweep at the same time must not remind again
        send(app, "workflows.sweep_deadlines", queue, now=remind_time.isoformat())
    wait_for(lambda: len(notes("reminder")) == 1, what="reminder")
    assert notes("reminder")[0].user_id == cast.town.id
    wait_for(lambda: f"remind:r{run_id}:d20260309:u{cast.town.id}:webhook" in webhook.effect_keys(), what="reminder webhook")

    overdue = datetime(2026, 3, 10, 1, 0, tzinfo=timezone.utc)
    sweeps = [send(app, "workflows.sweep_deadlines", queue, now=overdue.isoformat()) for _ in range(2)]
    wait_for(lambda: {n.user_id for n in notes("escalation")} == {cast.bureau.id, cast.town.id}, what="escalation")
    ran(wf_worker, sweeps)
    assert len(notes("escalation")) == 2 and len(notes("reminder")) == 1
    assert webhook.effect_keys().count(f"remind:r{run_id}:d20260309:u{cast.town.id}:webhook") == 1


def test_no_reminder_to_someone_who_already_acted(app, cast, draft, published_standard):
    from tests.workflows.conftest import place
    from workflows.services import sweeps

    application = draft()
    place(application.id, "standard_drafting", "in_progress")
    engine.apply(application.id, "link_standard", cast.applicant, payload={"standard_id": published_standard.id})
    run = db.session.scalar(select(StageRun).where(StageRun.application_id == application.id,
                                                   StageRun.ended_at.is_(None)))
    db.session.get(type(application), application.id).standard_id = None  # keep it from completing by itself
    db.session.commit()
    assert sweeps.send_reminders(run.remind_at + timedelta(minutes=1) if run.remind_at.tzinfo else
                                 run.remind_at.replace(tzinfo=timezone.utc) + timedelta(minutes=1)) == 1
    reminded = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.kind == "reminder"))}
    assert reminded == {cast.bureau.id}  # the applicant acted in this stage run; bureau has not
