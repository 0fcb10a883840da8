"""Every piece of background work reaches the worker one way, the outbox: a hand-off row is written in the
transaction that asks for the work, rolled back with it, and published by the relay when the broker was down.
The reaction table (``registry.reactions``) is how a credit record asks the award area for a re-check."""
from __future__ import annotations

import datetime as dt
import json

import pytest
import redis
from sqlalchemy import select

from registry import reactions
from registry.extensions import db
from registry.models import User
from registry.queues import queue_for
from registry.services import records
from tests.factories import EnterpriseFactory
from tests.workflows.test_redis_outage import PrivateRedis
from workflows import dispatch
from workflows.models import Outbox

CREDIT = {"list_type": "serious_dishonesty", "listed_on": "2026-03-01", "authority": "台州市市场监督管理局"}


def _hand_offs(task: str) -> list[Outbox]:
    db.session.rollback()  # a fresh snapshot
    return [row for row in db.session.scalars(select(Outbox).where(Outbox.task == task).order_by(Outbox.id))
            if dispatch.HAND_OFF in (row.payload or {})]


def test_the_credit_reaction_is_declared_in_the_one_table():
    (reaction,) = [r for r in reactions.REACTIONS if r.kind == "credit-records"]
    assert reaction.task == "awards.flag_credit_listings"


def test_a_hand_off_is_rolled_back_with_the_record_that_asked_for_it(app, cast, monkeypatch):
    monkeypatch.setitem(app.config, "AWARD_CREDIT_WATCH", True)
    before = len(_hand_offs("awards.flag_credit_listings"))
    firm = EnterpriseFactory()
    db.session.commit()
    records.create_record(cast.bureau, firm.id, "credit-records", CREDIT, commit=False)  # an import's row
    asked = db.session.scalars(select(Outbox.payload).where(Outbox.task == "awards.flag_credit_listings")).all()
    assert {"args": [], "kwargs": {"enterprise_id": firm.id}} in [p[dispatch.HAND_OFF] for p in asked]
    db.session.rollback()
    assert dispatch.send_handed_off() == 0
    assert len(_hand_offs("awards.flag_credit_listings")) == before


def test_work_handed_off_while_the_broker_is_down_reaches_it_through_the_relay(app, cast, service_urls, tmp_path):
    from registry import create_app

    server = PrivateRedis(str(tmp_path))
    server.start()
    queue = service_urls["queue"] + "-handoff"
    side_app = create_app({"SQLALCHEMY_DATABASE_URI": service_urls["database"], "REDIS_URL": server.url,
                           "INSTANCE_DIR": str(tmp_path), "CELERY_QUEUE": queue, "SERVER_NAME": "localhost",
                           "AWARD_CREDIT_WATCH": True})
    app.extensions["celery"].set_default()  # the session's app stays Celery's default
    firm = EnterpriseFactory()
    db.session.commit()
    firm_id, bureau_id = firm.id, cast.bureau.id
    db.session.rollback()
    try:
        server.stop()
        with side_app.app_context():
            record = records.create_record(db.session.get(User, bureau_id), firm_id, "credit-records", CREDIT)
            assert record.id  # saved although the broker is down
            db.session.remove()
        (row,) = [o for o in _hand_offs("awards.flag_credit_listings")
                  if o.payload[dispatch.HAND_OFF]["kwargs"] == {"enterprise_id": firm_id}]
        assert row.status == "pending"
        db.session.rollback()

        server.start()
        with side_app.app_context():
            assert dispatch.relay(dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)) >= 1
            db.session.remove()
        assert db.session.get(Outbox, row.id).status == "done"
        messages = redis.Redis.from_url(server.url).lrange(queue_for(queue, "awards.flag_credit_listings"), 0, -1)
        sent = [json.loads(m) for m in messages]
        assert [(m["headers"]["task"], m["headers"]["kwargsrepr"]) for m in sent] == [
            ("awards.flag_credit_listings", repr({"enterprise_id": firm_id}))]
    finally:
        server.stop()
        with side_app.app_context():
            db.session.remove()
            db.engine.dispose()
