"""The outbox's publish (``registry.task_producer``): the message kombu would have written, over one Redis client
kept per process, and still bounded by ``BROKER_PUBLISH_TIMEOUT`` when the broker hangs or is down (the row is
then left for the relay). Each test uses a private redis-server or socket; the session's Redis is not touched."""
from __future__ import annotations

import base64
import json
import socket
import time

import pytest

from registry import create_app
from registry.extensions import db
from registry.queues import queue_for
from tests.workflows.test_redis_outage import PrivateRedis
from workflows import dispatch

TASK = "workflows.send_notification"


@pytest.fixture
def broker(app, tmp_path):
    server = PrivateRedis(str(tmp_path))
    server.start()
    yield server
    server.stop()


def _side_app(app, redis_url: str, tmp_path, **config):
    side = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_url,
                       "INSTANCE_DIR": str(tmp_path), "CELERY_QUEUE": "producer-test", **config})
    app.extensions["celery"].set_default()  # the session's app stays Celery's default
    return side


def _queued(server: PrivateRedis, side) -> list[dict]:
    import redis

    key = queue_for(side.config["CELERY_QUEUE"], TASK)
    return [json.loads(raw) for raw in reversed(redis.Redis(port=server.port).lrange(key, 0, -1))]


def _comparable(message: dict) -> dict:
    """A message without what differs from one publish to the next (ids, delivery tag)."""
    message = json.loads(json.dumps(message))
    for key in ("id", "root_id"):
        message["headers"].pop(key)
    for key in ("correlation_id", "delivery_tag"):
        message["properties"].pop(key)
    message["body"] = json.loads(base64.b64decode(message["body"]))
    return message


def test_message_is_the_one_kombu_writes(app, broker, tmp_path):
    side = _side_app(app, broker.url, tmp_path)
    with side.app_context():
        celery = side.extensions["celery"]
        celery.send_task(TASK, args=[41], kwargs={"k": "值"}, retry=False)  # kombu's own producer and transport
        celery.send_task(TASK, args=[41], kwargs={"k": "值"}, retry=False, producer=side.extensions["task_producer"])
        db.session.remove()
    by_kombu, by_kept = _queued(broker, side)
    assert _comparable(by_kept) == _comparable(by_kombu)
    assert by_kept["headers"]["id"] == by_kept["properties"]["correlation_id"] != by_kombu["headers"]["id"]
    assert by_kept["properties"]["delivery_tag"] != by_kombu["properties"]["delivery_tag"]


def test_one_client_kept_across_publishes(app, broker, tmp_path, monkeypatch):
    side = _side_app(app, broker.url, tmp_path)
    with side.app_context():
        producer = side.extensions["task_producer"]
        celery = side.extensions["celery"]

        def no_pool(*_args, **_kwargs):
            raise AssertionError("kombu's pooled producer used for a plain outbox publish")

        monkeypatch.setattr(celery.producer_pool, "acquire", no_pool)
        assert dispatch.publish([(1, TASK), (2, TASK)]) == 2
        client = producer.client
        assert dispatch.publish([(3, TASK)]) == 1
        assert producer.client is client
        pool = client.connection_pool
        assert len(pool._available_connections) + len(pool._in_use_connections) == 1  # one socket, reused
        db.session.remove()
    assert [m["headers"]["argsrepr"] for m in _queued(broker, side)] == ["[1]", "[2]", "[3]"]


def test_hung_broker_costs_one_timeout_then_recovers(app, broker, tmp_path):
    """A Redis that accepts the connection but never answers: the publish gives up after BROKER_PUBLISH_TIMEOUT
    (no retries), nothing is counted sent (the row stays for the relay). A Redis stopped and started again: the
    same kept client reconnects."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(16)  # connections complete in the backlog; nothing ever reads or answers
    try:
        side = _side_app(app, f"redis://127.0.0.1:{hung.getsockname()[1]}/0", tmp_path, BROKER_PUBLISH_TIMEOUT=0.5)
        with side.app_context():
            started = time.monotonic()
            assert dispatch.publish([(1, TASK), (2, TASK)]) == 0  # stops at the first failure
            elapsed = time.monotonic() - started
            db.session.remove()
        assert 0.4 < elapsed < 1.0, elapsed
    finally:
        hung.close()

    side = _side_app(app, broker.url, tmp_path)
    with side.app_context():
        assert dispatch.publish([(1, TASK)]) == 1
        client = side.extensions["task_producer"].client
        broker.stop()
        started = time.monotonic()
        assert dispatch.publish([(2, TASK)]) == 0
        assert time.monotonic() - started < 1.0
        broker.start()
        assert dispatch.publish([(3, TASK)]) == 1
        assert side.extensions["task_producer"].client is client
        db.session.remove()
    assert [m["headers"]["argsrepr"] for m in _queued(broker, side)] == ["[3]"]  # the server restarted empty
