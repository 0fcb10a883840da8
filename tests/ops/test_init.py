"""``flask --app registry init``: one command installs and upgrades; a second run changes nothing.

Runs the real CLI in a child process on an empty database of the session's backend (a SQLite file, or a fresh
database on the PostgreSQL server of ``DATABASE_URL``).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests import services

ROOT = Path(__file__).resolve().parent.parent.parent


def _init(url: str, service_urls: dict, instance: Path, *args: str, password: str | None = None,
          stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "REGISTRY_ADMIN_PASSWORD"}
    env.update({"DATABASE_URL": url, "REDIS_URL": service_urls["redis"], "INSTANCE_DIR": str(instance),
                "REGISTRY_ENV": "testing"})
    if password is not None:
        env["REGISTRY_ADMIN_PASSWORD"] = password
    return subprocess.run([sys.executable, "-m", "flask", "--app", "registry", "init", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=180)


def _table_rows(url: str) -> dict[str, list[tuple]]:
    """Every table's rows (timestamps dropped), sorted: two runs must leave the same content."""
    engine = sa.create_engine(url)
    try:
        meta = sa.MetaData()
        meta.reflect(engine)
        rows = {}
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                cols = [c for c in table.columns if c.name not in ("created_at", "updated_at", "last_login_at")]
                rows[table.name] = sorted(tuple(str(v) for v in r) for r in conn.execute(sa.select(*cols)))
        return rows
    finally:
        engine.dispose()


def test_init_twice_on_an_empty_database_loads_reference_data_once(service_urls, tmp_path):
    with services.test_database(str(tmp_path)) as url:
        first = _init(url, service_urls, tmp_path, "--admin-email", "Root@Linhai.example", password="first-admin-pw-1")
        assert first.returncode == 0, first.stderr
        assert "administrator Root@Linhai.example: created" in first.stdout
        after_first = _table_rows(url)
        assert len(after_first["jurisdictions"]) == 21
        assert len(after_first["industries"]) == 8
        assert len(after_first["indicators"]) == 50  # Table 2 (27) + ISO 10012 + Table 1 (22)
        assert [r for r in after_first["users"] if "root@linhai.example" in r]
        assert len(after_first["alembic_version"]) == 1

        # The upgrade run: same command, no password available, the admin already there: nothing asked, nothing added.
        second = _init(url, service_urls, tmp_path, "--admin-email", "root@linhai.example", stdin="")
        assert second.returncode == 0, second.stderr
        assert "already exists" in second.stdout
        assert "jurisdictions added: 0, industries added: 0, indicators added: 0" in second.stdout
        assert _table_rows(url) == after_first


def test_init_asks_for_the_password_and_refuses_a_short_one(service_urls, tmp_path):
    with services.test_database(str(tmp_path)) as url:
        short = _init(url, service_urls, tmp_path, "--admin-email", "a@linhai.example", stdin="short\nshort\n")
        assert short.returncode != 0 and "密码至少" in short.stderr
        asked = _init(url, service_urls, tmp_path, "--admin-email", "a@linhai.example",
                      stdin="a-long-password-1\na-long-password-1\n")
        assert asked.returncode == 0, asked.stderr
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                roles = conn.execute(sa.text("SELECT role FROM users WHERE email = 'a@linhai.example'")).all()
        finally:
            engine.dispose()
        assert [r[0] for r in roles] == ["admin"]


def test_init_names_a_stored_setting_this_release_refuses(service_urls, tmp_path):
    with services.test_database(str(tmp_path)) as url:
        assert _init(url, service_urls, tmp_path).returncode == 0
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO settings (key, value, created_at, updated_at) "
                                     "VALUES ('awards.panel.size', '\"five\"', :t, :t)"), {"t": "2026-01-01"})
        finally:
            engine.dispose()
        again = _init(url, service_urls, tmp_path)
        assert again.returncode == 0, again.stderr
        assert "1 changed by an administrator" in again.stdout
        assert "awards.panel.size" in again.stderr
