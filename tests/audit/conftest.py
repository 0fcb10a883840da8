"""Helpers of the security audit tests: read the trail as rows, drive the pages from a fixed client address."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.audit.models import SecurityEvent
from registry.extensions import db

ADDRESS = "10.9.8.7"


def events(kind: str | None = None) -> list[SecurityEvent]:
    db.session.expire_all()
    query = select(SecurityEvent).order_by(SecurityEvent.seq)
    if kind:
        query = query.where(SecurityEvent.event == kind)
    return list(db.session.scalars(query))


def only(kind: str) -> SecurityEvent:
    found = events(kind)
    assert len(found) == 1, [(e.event, e.actor, e.details) for e in events()]
    return found[0]


@pytest.fixture
def client(app):
    """The test client, every request from ADDRESS (what ``request.remote_addr`` reads)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    return client


@pytest.fixture
def indicators(app):
    from registry.targets.seed import seed_indicators

    seed_indicators()
