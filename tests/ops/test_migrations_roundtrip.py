"""Every migration upgrades and downgrades on a database holding the demo data (issue 11, item 4).

On a fresh database of the session's backend (a fresh PostgreSQL database when ``DATABASE_URL`` is set, which is
where it matters: ``CREATE INDEX CONCURRENTLY`` in autocommit blocks, PostgreSQL-only indexes and functions):
``db upgrade`` to head, the reference data and a small demo set (``seed-demo --enterprises 20``), then one
revision down at a time to base, checking each step lands on the revision before, then up to head again. The
real CLI in child processes, as an operator runs it.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from tests import services

ROOT = Path(__file__).resolve().parent.parent.parent

STEP_DOWN = """
import json
from flask_migrate import downgrade
from alembic.migration import MigrationContext
from registry import create_app
from registry.extensions import db

app = create_app()
steps = []
with app.app_context():
    def current():
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    while current() is not None:
        before = current()
        downgrade(revision="-1")
        steps.append([before, current()])
    db.engine.dispose()
print("STEPS " + json.dumps(steps))
"""


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return _run(env, "-m", "flask", "--app", "registry", *args)


def _revisions() -> dict[str, str | None]:
    """revision -> down_revision, read from the migration scripts."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return {s.revision: s.down_revision for s in ScriptDirectory.from_config(config).walk_revisions()}


def _count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


def test_every_migration_goes_down_and_up_again_with_the_demo_data(service_urls, tmp_path):
    chain = _revisions()
    with services.test_database(str(tmp_path)) as url:
        env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": service_urls["redis"], "INSTANCE_DIR": str(tmp_path),
               "REGISTRY_ENV": "testing", "CELERY_QUEUE": f"{service_urls['queue']}-mig"}
        _flask(env, "db", "upgrade")
        _flask(env, "seed-catalogues")
        _flask(env, "seed-indicators")
        _flask(env, "seed-demo", "--enterprises", "20")
        enterprises, applications = _count(url, "enterprises"), _count(url, "applications")
        assert enterprises >= 20 and applications > 0
        # The data migrations run over existing rows: back below the projects migration and up again with the
        # demo honours in place (0009 attaches them to projects and dates the single champions' 复核).
        honours = _count(url, "honours")
        _flask(env, "db", "downgrade", "0008")
        _flask(env, "db", "upgrade")
        assert _count(url, "honours") == honours and _count(url, "projects") > 0

        out = _run(env, "-c", STEP_DOWN).stdout
        steps = json.loads(out.split("STEPS ", 1)[1])
        assert [down for _, down in steps] == [chain[up] for up, _ in steps]  # each step: exactly one revision down
        assert {up for up, _ in steps} == set(chain) and steps[-1][1] is None

        _flask(env, "db", "upgrade")
        head = [r for r in chain if r not in chain.values()]
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                assert [r for (r,) in conn.execute(sa.text("SELECT version_num FROM alembic_version"))] == head
                if conn.dialect.name == "postgresql":  # the concurrently built indexes are there and valid
                    invalid = conn.execute(sa.text(
                        "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                        "WHERE NOT i.indisvalid")).scalar_one()
                    built = set(conn.execute(sa.text(
                        "SELECT indexname FROM pg_indexes WHERE indexname IN ('ix_enterprises_name_bigrams', "
                        "'ix_certifications_type_enterprise', 'ix_credit_records_enterprise_listed')")).scalars())
                    assert invalid == 0 and len(built) == 3
        finally:
            engine.dispose()
    print(f"\nmigrations: up to head, demo data ({enterprises} enterprises, {applications} applications), "
          f"{len(steps)} steps down to base, up to head again: ok")
