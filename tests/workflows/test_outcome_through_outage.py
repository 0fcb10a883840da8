"""A delivery's outcome is written even when the database is unreachable for a moment after the message left
(workflows.services.outbox._record, registry.db_retry): a row left ``sending`` would be sent again after its lease.
The end-to-end case, a real PostgreSQL restarted under a worker, is tests/reliability/test_postgres_restart.py."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import exc, select

from registry.extensions import db
from tests.background import subscribe
from tests.workflows.receivers import WebhookSink
from workflows import dispatch, engine
from workflows.models import Outbox
from workflows.services import outbox


@pytest.fixture(autouse=True)
def no_worker(app, monkeypatch):
    """Publish to a queue nobody consumes: the session's real worker (``celery_worker``, started by an earlier test
    and alive until the session ends) would otherwise deliver the row before the test's own ``outbox.run`` does,
    which then finds it taken ("skipped"). The queue's keys are dropped with the session's after the test."""
    monkeypatch.setitem(app.config, "CELERY_QUEUE", f"{app.config['CELERY_QUEUE']}:outage-void")


def _cut(statement: str) -> exc.OperationalError:
    return exc.OperationalError(statement, {}, Exception("server closed the connection unexpectedly"))


def _one_row(cast, draft, url) -> int:
    subscribe(cast.town, url, email=False)
    engine.apply(draft().id, "submit", cast.applicant)
    (row_id,) = db.session.scalars(select(Outbox.id))
    return row_id


def test_done_is_written_once_the_database_answers_again(app, cast, draft, monkeypatch):
    real, tries = dispatch.finish, []

    def finish(*args, **kwargs):
        tries.append(args)
        if len(tries) <= 2:
            raise _cut("UPDATE outbox")
        return real(*args, **kwargs)

    with WebhookSink() as webhook:
        row_id = _one_row(cast, draft, webhook.url)
        monkeypatch.setattr(dispatch, "finish", finish)
        assert outbox.run(row_id, datetime.now(timezone.utc)) == "done"
        sent = webhook.effect_keys()
    db.session.rollback()
    row = db.session.get(Outbox, row_id)
    assert (row.status, row.attempts, len(tries), len(sent)) == ("done", 1, 3, 1)


def test_a_failed_attempt_is_recorded_through_the_outage_too(app, cast, draft, monkeypatch):
    real, tries = dispatch.finish, []

    def finish(*args, **kwargs):
        tries.append(kwargs.get("error"))
        if len(tries) == 1:
            raise _cut("SELECT outbox")
        return real(*args, **kwargs)

    row_id = _one_row(cast, draft, "http://127.0.0.1:9/refused")  # nothing listens: a failed attempt
    monkeypatch.setattr(dispatch, "finish", finish)
    assert outbox.run(row_id, datetime.now(timezone.utc)) == "retry"
    db.session.rollback()
    row = db.session.get(Outbox, row_id)
    assert (row.status, row.attempts, len(tries)) == ("pending", 1, 2) and tries[0]


def test_an_error_that_is_not_an_outage_is_not_retried(app, cast, draft, monkeypatch):
    tries = []

    def finish(*args, **kwargs):
        tries.append(args)
        raise exc.IntegrityError("UPDATE outbox", {}, Exception("a bug, not an outage"))

    with WebhookSink() as webhook:
        row_id = _one_row(cast, draft, webhook.url)
        monkeypatch.setattr(dispatch, "finish", finish)
        with pytest.raises(exc.IntegrityError):
            outbox.run(row_id, datetime.now(timezone.utc))
    assert len(tries) == 1


def test_a_claimed_row_is_read_back_through_the_outage(app, cast, draft, monkeypatch):
    """The claim is committed, then the database goes before the row is read back: the row is this delivery's
    (``sending``), so the read waits for the database instead of leaving the row to its lease unsent."""
    real_get, failed = db.session.get, []

    def get(model, ident, *args, **kwargs):
        if model is Outbox and not failed:
            failed.append(ident)
            raise _cut("SELECT outbox")
        return real_get(model, ident, *args, **kwargs)

    with WebhookSink() as webhook:
        row_id = _one_row(cast, draft, webhook.url)
        monkeypatch.setattr(db.session, "get", get)
        assert outbox.run(row_id, datetime.now(timezone.utc)) == "done"
        sent = webhook.effect_keys()
    monkeypatch.undo()
    db.session.rollback()
    row = db.session.get(Outbox, row_id)
    assert (row.status, row.attempts, failed, len(sent)) == ("done", 1, [row_id], 1)
