"""The application factory, configuration safety, migrations and the CLI."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, DEV_SECRET_KEY, check_production_safety, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_production_refuses_the_development_secret(monkeypatch):
    monkeypatch.setenv("REGISTRY_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://x/y")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    settings = load_config()
    assert settings["SECRET_KEY"] == DEV_SECRET_KEY
    with pytest.raises(ConfigError):
        check_production_safety(settings)
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-of-at-least-32-bytes-x")
    monkeypatch.setenv("AUDIT_HMAC_KEY", "another-real-secret-of-32-bytes-or-more")
    check_production_safety(load_config())


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_migrations_match_models(service_urls, tmp_path):
    """Upgrading an empty database with Alembic gives exactly the tables and columns the models declare."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from registry import create_app
    from registry.extensions import db
    from tests.services import test_database

    with test_database(str(tmp_path)) as url:
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": service_urls["redis"], "INSTANCE_DIR": str(tmp_path),
               "REGISTRY_ENV": "testing"}
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "registry", "db", "upgrade"], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": service_urls["redis"],
                          "INSTANCE_DIR": str(tmp_path)})
        with app.app_context():
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), db.metadata)
            db.engine.dispose()
        assert diff == []


def test_cli_creates_users_and_tokens(runner, app):
    from tests.factories import EnterpriseFactory

    ent = EnterpriseFactory()
    out = runner.invoke(args=["users", "create", "--email", "e@x.cn", "--role", "enterprise", "--enterprise", ent.uscc,
                              "--password", "long-enough-pw"])
    assert out.exit_code == 0, out.output
    bad = runner.invoke(args=["users", "create", "--email", "t@x.cn", "--role", "town", "--password", "long-enough-pw"])
    assert bad.exit_code != 0 and "镇街" in bad.output
    token = runner.invoke(args=["users", "token", "e@x.cn"])
    assert token.exit_code == 0 and token.output.strip().startswith("qr_")


def test_health_endpoint(client):
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok"


def test_heartbeat_is_stamped_even_after_a_stale_read(client):
    """The canary's write takes the write lock up front: a read transaction left open in the session while
    another connection committed (SQLite: a stale snapshot that cannot be upgraded to a write) is ended first."""
    from datetime import timedelta

    from sqlalchemy import select, update

    from registry.extensions import db
    from registry.models.heartbeat import Heartbeat
    from registry.services.health import record_heartbeat

    first = record_heartbeat()
    assert db.session.scalar(select(Heartbeat.beat_at).where(Heartbeat.name == "worker")) is not None  # open read
    with db.engine.begin() as other:
        other.execute(update(Heartbeat).where(Heartbeat.name == "worker").values(beat_at=first - timedelta(seconds=1)))
    second = record_heartbeat()
    assert second >= first
    db.session.rollback()
    stored = db.session.scalar(select(Heartbeat.beat_at).where(Heartbeat.name == "worker"))
    assert stored is not None and stored.replace(tzinfo=None) == second.replace(tzinfo=None)  # the row moved on
    body = client.get("/healthz").get_json()
    assert body["database"] == "ok" and 0 <= body["worker_heartbeat_age_seconds"] < 60


def test_embedded_default_needs_no_environment(tmp_path):
    """With nothing set, the app runs on a SQLite file and an embedded Redis that answers."""
    code = ("from registry import create_app; import redis; a = create_app(); "
            "print(a.config['SQLALCHEMY_DATABASE_URI']); print(redis.Redis.from_url(a.config['REDIS_URL']).ping())")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "REGISTRY_ENV")}
    env["INSTANCE_DIR"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"sqlite:///{tmp_path}/registry.sqlite", "True"]
