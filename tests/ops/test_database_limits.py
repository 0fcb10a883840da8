"""Database limits from settings (issue 11, item 4): the pool's size and overflow, and on PostgreSQL a
``statement_timeout`` and a ``lock_timeout`` on every connection, so a runaway query or a stuck lock ends with an
error instead of holding a worker or a request forever."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError


@pytest.fixture
def limited_app(service_urls, tmp_path):
    from registry import create_app
    from registry.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": service_urls["database"], "REDIS_URL": service_urls["redis"],
                      "INSTANCE_DIR": str(tmp_path), "CELERY_QUEUE": f"{service_urls['queue']}-limits",
                      "DB_POOL_SIZE": 3, "DB_MAX_OVERFLOW": 2, "DB_STATEMENT_TIMEOUT_MS": 300,
                      "DB_LOCK_TIMEOUT_MS": 200})
    with app.app_context():
        yield app, db.engine
        db.engine.dispose()


def _postgresql_only(engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("statement_timeout and lock_timeout are PostgreSQL settings")


def test_pool_size_and_overflow_come_from_the_settings(limited_app):
    _app, engine = limited_app
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has no server connections to pool")
    assert (engine.pool.size(), engine.pool._max_overflow) == (3, 2)


def test_a_long_statement_is_cancelled_at_the_statement_timeout(limited_app):
    _app, engine = limited_app
    _postgresql_only(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW statement_timeout")).scalar_one() == "300ms"
        started = time.monotonic()
        with pytest.raises(OperationalError, match="statement timeout"):
            conn.execute(sa.text("SELECT pg_sleep(5)"))
    assert time.monotonic() - started < 2


def test_a_lock_wait_ends_at_the_lock_timeout(limited_app):
    _app, engine = limited_app
    _postgresql_only(engine)
    with engine.connect() as holder, engine.connect() as waiter:
        holder.execute(sa.text("SELECT id FROM jurisdictions ORDER BY id LIMIT 1 FOR UPDATE"))
        assert waiter.execute(sa.text("SHOW lock_timeout")).scalar_one() == "200ms"
        started = time.monotonic()
        with pytest.raises(OperationalError, match="lock timeout"):
            waiter.execute(sa.text("SELECT id FROM jurisdictions ORDER BY id LIMIT 1 FOR UPDATE"))
        assert time.monotonic() - started < 2
        holder.rollback()
