"""Fixtures for the reliability tests: the workflow tests' cast and drafts, and a private worker queue."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.workflows.conftest import cast, draft, published_standard  # noqa: F401  (shared fixtures)


def forget_queue(app, queue: str) -> None:
    """Drop a private test queue from Redis: its list and the broker's unacknowledged copies of its messages (a
    worker killed with SIGKILL leaves them there, to be put back after the visibility timeout)."""
    import redis

    client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=2)
    try:
        for key in client.scan_iter(match=f"*{queue}*", count=1000):
            client.delete(key)
        for tag, raw in client.hscan_iter("unacked"):
            try:
                routing_key = json.loads(raw)[2]
            except (ValueError, IndexError, TypeError):
                continue
            if routing_key == queue:
                client.hdel("unacked", tag)
                client.zrem("unacked_index", tag)
    finally:
        client.close()


@pytest.fixture
def private_queue(app, service_urls, monkeypatch):
    """A queue name of this test's own; the app publishes to it while the test runs, and it is dropped after."""
    queue = f"{service_urls['queue']}-{uuid.uuid4().hex[:6]}"
    monkeypatch.setitem(app.config, "CELERY_QUEUE", queue)
    yield queue
    forget_queue(app, queue)
