"""Fixtures: a real database and Redis per test session, the app, clients, sign-in helpers, a real worker."""
from __future__ import annotations

import contextvars
import os
import re
import tempfile
import uuid

import pytest

from tests.services import test_database, test_redis

KEEP_TABLES = {"jurisdictions", "industries", "green_product_domains", "alembic_version"}
CATALOGUE_TABLES = ("jurisdictions", "industries", "green_product_domains")  # kept between tests, so put back as seeded after each


@pytest.fixture(scope="session")
def service_urls():
    with tempfile.TemporaryDirectory(prefix="registry-test-") as tmp:
        with test_database(tmp) as database_url, test_redis(tmp) as redis_url:
            yield {"database": database_url, "redis": redis_url, "tmp": tmp,
                   "queue": f"test-{uuid.uuid4().hex[:8]}"}


class IsolatedClient:
    """Mixin for the test client: each request runs in its own app context, as in production.

    Tests keep an app context open for factories and services; without this, requests would share its
    ``g`` and database session. The test's own transaction is ended around each request so that both
    sides see each other's committed rows.
    """

    def open(self, *args, **kwargs):
        from registry.extensions import db

        db.session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.commit()
        db.session.expire_all()
        return response


@pytest.fixture(scope="session")
def app(service_urls):
    os.environ["REGISTRY_ENV"] = "testing"
    from registry import create_app
    from registry.extensions import db
    from registry.seeds.catalogues import seed_catalogues

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": service_urls["database"],
        "REDIS_URL": service_urls["redis"],
        "INSTANCE_DIR": service_urls["tmp"],
        "CELERY_QUEUE": service_urls["queue"],
        "RATELIMIT_KEY_PREFIX": service_urls["queue"],
        "SERVER_NAME": "localhost",
    })
    from flask.testing import FlaskClient

    app.test_client_class = type("TestClient", (IsolatedClient, FlaskClient), {})
    with app.app_context():
        db.create_all()
        seed_catalogues()
        with db.engine.connect() as conn:
            app.extensions["test_catalogues"] = _catalogue_rows(conn)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def workflow_definitions(app):
    """The app's table of workflow definitions for one test: ``workflow_definitions.add(v2)`` registers a version
    the way an area's ``VERSIONS`` would (a new latest one, say); the app's own table is put back afterwards."""
    from workflows import definitions

    own = app.extensions[definitions.EXTENSION]
    app.extensions[definitions.EXTENSION] = table = own.copy()
    yield table
    app.extensions[definitions.EXTENSION] = own


@pytest.fixture(autouse=True)
def _clean_state(request, app):
    """Each test starts with catalogues only: rows of every other table are deleted afterwards."""
    ctx = app.app_context()
    ctx.push()
    yield
    from registry.extensions import db, limiter

    db.session.rollback()
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                conn.execute(table.delete())
        _restore_catalogues(conn, app.extensions["test_catalogues"])
    for forget in (limiter.reset, lambda: _forget_cached_state(app)):
        try:
            forget()
        except Exception:  # noqa: BLE001  (storage unreachable in a test that stopped Redis)
            pass
    ctx.pop()


def _catalogue_rows(conn) -> dict[str, dict[int, dict]]:
    from sqlalchemy import select

    from registry.extensions import db

    return {name: {row.id: row._asdict() for row in conn.execute(select(db.metadata.tables[name]))}
            for name in CATALOGUE_TABLES}


def _restore_catalogues(conn, seeded: dict[str, dict[int, dict]]) -> None:
    """Put the catalogues back as seeded: a test that retires, renames or adds a jurisdiction or an industry (the
    admin pages, or the junk posts of tests/security, which retire entry 1) must not change what later tests in
    the process see. Runs after the other tables are emptied, so no row points at an entry being removed."""
    from registry.extensions import db

    now = _catalogue_rows(conn)
    for name, rows in seeded.items():
        table = db.metadata.tables[name]
        current = now[name]
        extra = set(current) - set(rows)
        if extra:
            conn.execute(table.delete().where(table.c.id.in_(extra)))
        changed = [row_id for row_id, values in rows.items() if row_id in current and current[row_id] != values]
        for row_id in changed:  # unique codes and names: park them first, in case a test swapped two entries
            conn.execute(table.update().where(table.c.id == row_id).values(code=f"~{row_id}", name=f"~{row_id}"))
        for row_id in changed:
            conn.execute(table.update().where(table.c.id == row_id).values(rows[row_id]))
        missing = [values for row_id, values in rows.items() if row_id not in current]
        if missing:
            conn.execute(table.insert(), missing)


def _forget_cached_state(app) -> None:
    """Drop this test session's Redis keys (caches and counters keyed on the session's unique queue name), so
    a figure cached by one test is never served to the next one's fresh database; and this process's cache of
    settings and holiday overrides (registry.refcache), whose rows the clean-up deleted without the session."""
    import redis

    from registry import refcache

    refcache.clear()

    client = redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"{app.config['CELERY_QUEUE']}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Auth:
    """Signs a test client in and out through the real login form (CSRF included)."""

    PASSWORD = "correct-horse-battery"

    def __init__(self, client):
        self.client = client

    def login(self, user_or_email, password: str | None = None):
        email = getattr(user_or_email, "email", user_or_email)
        page = self.client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        return self.client.post("/login", data={"email": email, "password": password or self.PASSWORD,
                                                "csrf_token": token})

    def csrf(self, path: str = "/") -> str:
        """A valid CSRF token for this client's session, taken from a rendered page."""
        return csrf_token_from(self.client.get(path).get_data(as_text=True))

    def logout(self):
        return self.client.post("/logout", data={"csrf_token": self.csrf()})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def make_user(app):
    """Create a user of a role (with enterprise / jurisdiction) through the real service."""
    from tests.factories import UserFactory

    def _make(role: str = "bureau", **kwargs):
        return UserFactory(role=role, **kwargs)

    return _make


@pytest.fixture
def api(app):
    """Build Authorization headers for a user."""
    from registry.auth.tokens import issue_token

    def _headers(user):
        return {"Authorization": f"Bearer {issue_token(user)}"}

    return _headers


@pytest.fixture(scope="session")
def celery_worker(app, service_urls):
    """A real Celery worker process consuming this session's queue (started once, on first use)."""
    from tests.worker import WorkerProcess

    worker = WorkerProcess(service_urls)
    worker.start()
    yield worker
    worker.stop()


# Browser fixtures live in one module and are registered once here: a second session-scoped copy would start a
# second Playwright inside the first one's event loop.
from tests.browser.fixtures import browser, live_server, page, phone_page, shot  # noqa: E402,F401
