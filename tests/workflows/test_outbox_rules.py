"""The outbox's own rules (workflows/dispatch.py), without a worker or a broker: what is published, in what order,
when a row is due again, and when it is given up. The worker and outage tests (tests/reliability) show the same
rules end to end; these pin each one so a mutant of it fails in seconds (tests/MUTATION.md)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from registry.extensions import db
from workflows import dispatch
from workflows.models import Outbox

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)
LEASE = dt.timedelta(minutes=5)  # a claimed row whose worker died is retried after this
WORKER_LOST = "worker lost mid-delivery (lease expired)"  # what the outbox page shows for such a row
HAND_OFF = "hand_off"  # the payload key of a hand-off row: rows written by earlier releases carry it


def _naive(moment):
    return None if moment is None else moment.astimezone(dt.timezone.utc).replace(tzinfo=None) \
        if moment.tzinfo else moment


class Broker:
    """Stands in for Celery's send_task: records each call; ``down_after`` calls succeed, then it refuses."""

    def __init__(self, down_after: int | None = None):
        self.sent: list[tuple] = []
        self.down_after = down_after
        self.calls = 0

    def __call__(self, task, args=None, kwargs=None, retry=True, **options):
        self.calls += 1
        if self.down_after is not None and len(self.sent) >= self.down_after:
            raise ConnectionError("broker down")
        self.sent.append((task, list(args or []), dict(kwargs or {}), retry))


@pytest.fixture
def broker(app, monkeypatch):
    fake = Broker()
    monkeypatch.setattr(app.extensions["celery"], "send_task", fake)
    return fake


def _row(task="workflows.deliver", status="pending", attempts=0, due=NOW, payload=None, key=None) -> Outbox:
    row = Outbox(effect_key=key or f"{task}:{status}:{attempts}:{due.isoformat()}:{id(payload)}", task=task,
                 payload=payload or {}, status=status, attempts=attempts, next_attempt_at=due)
    db.session.add(row)
    db.session.commit()
    return row


def _get(row_id) -> Outbox:
    db.session.expire_all()
    return db.session.get(Outbox, row_id)


def test_backoff_doubles_from_ten_seconds_up_to_an_hour():
    assert [dispatch.backoff(n).total_seconds() for n in (0, 1, 2, 3, 8, 9, 20)] == [
        10, 20, 40, 80, 2560, 3600, 3600]


def test_publish_sends_each_row_id_to_its_task_and_stops_at_the_first_refusal(app, broker, caplog):
    assert dispatch.publish([(1, "a.task"), (2, "b.task")]) == 2
    assert broker.sent == [("a.task", [1], {}, False), ("b.task", [2], {}, False)]
    broker.sent.clear()
    broker.down_after, broker.calls = 1, 0
    assert dispatch.publish([(3, "a.task"), (4, "b.task"), (5, "c.task")]) == 1
    assert broker.sent == [("a.task", [3], {}, False)]
    assert broker.calls == 2  # the third is not even tried: the relay sends the rest
    assert "publish of outbox 4 deferred: broker down" in caplog.text


def test_a_hand_off_is_published_after_commit_once_and_marked_done(app, broker):
    row = dispatch.hand_off("registry.some_job", 7, "x", flag=True)
    assert row.task == "registry.some_job" and row.effect_key.startswith("registry.some_job:")
    assert row.payload == {HAND_OFF: {"args": [7, "x"], "kwargs": {"flag": True}}}
    other = dispatch.hand_off("registry.some_job")
    assert other.effect_key != row.effect_key  # two hand-offs of one task are two rows
    db.session.commit()
    assert dispatch.send_handed_off() == 2
    assert broker.sent == [("registry.some_job", [7, "x"], {"flag": True}, False),
                           ("registry.some_job", [], {}, False)]
    done = _get(row.id)
    assert done.status == "done" and done.done_at is not None and done.last_error is None
    assert dispatch.send_handed_off() == 0 and len(broker.sent) == 2  # the session's list was used up


def test_a_hand_off_the_broker_refuses_stays_pending_for_the_relay(app, broker, caplog):
    broker.down_after = 0
    row = dispatch.hand_off("registry.some_job", 1)
    dispatch.hand_off("registry.some_job", 2)
    db.session.commit()
    assert dispatch.send_handed_off() == 0
    assert broker.calls == 1  # stops at the first refusal
    assert _get(row.id).status == "pending" and _get(row.id).done_at is None
    assert f"hand-off of outbox {row.id} (registry.some_job) deferred: broker down" in caplog.text


def test_relay_publishes_due_rows_in_order_up_to_the_limit_and_pushes_each_on(app, broker):
    later = _row(due=NOW + dt.timedelta(seconds=1))
    first, second, third = (_row(attempts=n, due=NOW - dt.timedelta(minutes=n)) for n in (0, 2, 1))
    done = _row(status="done", due=NOW - dt.timedelta(hours=1))
    assert dispatch.relay(NOW, limit=2) == 2
    assert broker.sent == [("workflows.deliver", [first.id], {}, False), ("workflows.deliver", [second.id], {}, False)]
    assert _naive(_get(first.id).next_attempt_at) == _naive(NOW + dispatch.backoff(0))
    assert _naive(_get(second.id).next_attempt_at) == _naive(NOW + dispatch.backoff(2))
    assert _naive(_get(third.id).next_attempt_at) == _naive(NOW - dt.timedelta(minutes=1))  # over the limit
    assert _naive(_get(later.id).next_attempt_at) == _naive(NOW + dt.timedelta(seconds=1))  # not due yet
    assert _get(done.id).status == "done"
    assert {_get(r.id).status for r in (first, second, third, later)} == {"pending"}
    broker.sent.clear()
    assert dispatch.relay(NOW) == 1 and broker.sent == [("workflows.deliver", [third.id], {}, False)]


def test_relay_releases_rows_whose_worker_lease_expired_or_gives_them_up(app, broker):
    lost = _row(status="sending", attempts=3, due=NOW)  # lease ended exactly now
    spent = _row(status="sending", attempts=8, due=NOW - dt.timedelta(seconds=1))
    working = _row(status="sending", attempts=1, due=NOW + dt.timedelta(seconds=1))
    assert dispatch.relay(NOW) == 1
    assert broker.sent == [("workflows.deliver", [lost.id], {}, False)]
    lost, spent, working = _get(lost.id), _get(spent.id), _get(working.id)
    assert (lost.status, lost.last_error) == ("pending", WORKER_LOST)
    assert _naive(lost.next_attempt_at) == _naive(NOW + dispatch.backoff(3))
    assert (spent.status, spent.last_error) == ("dead", WORKER_LOST)
    assert (working.status, working.last_error) == ("sending", None)


def test_relay_sends_hand_offs_with_their_arguments_and_deliveries_with_their_row(app, broker):
    job = _row(task="registry.some_job", payload={HAND_OFF: {"args": [5], "kwargs": {"k": "v"}}})
    note = _row(task="workflows.deliver", payload={"channel": "email"})
    assert dispatch.relay(NOW) == 2
    assert sorted(broker.sent) == sorted([("registry.some_job", [5], {"k": "v"}, False),
                                          ("workflows.deliver", [note.id], {}, False)])
    assert _get(job.id).status == "done" and _get(note.id).status == "pending"  # a delivery's worker finishes it


def test_claim_takes_a_pending_row_once(app):
    row = _row(attempts=2)
    claimed = dispatch.claim(row.id, NOW)
    assert claimed is not None and claimed.id == row.id
    row = _get(row.id)
    assert (row.status, row.attempts) == ("sending", 3)
    assert _naive(row.next_attempt_at) == _naive(NOW + LEASE)
    assert dispatch.claim(row.id, NOW) is None
    assert _get(row.id).attempts == 3
    assert dispatch.claim(_row(status="done").id, NOW) is None


def test_finish_marks_done_or_schedules_the_retry_or_gives_up(app):
    ok = _row(status="sending", attempts=1)
    _get(ok.id).last_error = "earlier failure"
    db.session.commit()
    dispatch.finish(ok.id, NOW)
    ok = _get(ok.id)
    assert (ok.status, _naive(ok.done_at), ok.last_error) == ("done", _naive(NOW), None)
    retry = _row(status="sending", attempts=2)
    dispatch.finish(retry.id, NOW, error="x" * 2500, max_attempts=3)
    retry = _get(retry.id)
    assert retry.status == "pending" and retry.last_error == "x" * 2000 and retry.done_at is None
    assert _naive(retry.next_attempt_at) == _naive(NOW + dispatch.backoff(2))
    last = _row(status="sending", attempts=3)
    dispatch.finish(last.id, NOW, error="gone", max_attempts=3)
    assert (_get(last.id).status, _get(last.id).last_error) == ("dead", "gone")
    seventh, eighth = _row(status="sending", attempts=7), _row(status="sending", attempts=8)
    for row in (seventh, eighth):
        dispatch.finish(row.id, NOW, error="again")  # 8 attempts unless told otherwise
    assert (_get(seventh.id).status, _get(eighth.id).status) == ("pending", "dead")


def test_pending_count_counts_rows_still_on_their_way(app):
    for status in ("pending", "sending", "sending", "sending", "done", "dead"):
        _row(status=status, key=f"count:{status}:{db.session.scalar(select(db.func.count(Outbox.id)))}")
    assert dispatch.pending_count() == 4
