"""Services a test can stop for real without touching the shared ones: a redis-server and a PostgreSQL cluster on
their own loopback ports in a temporary folder, a beat process, and a web process (gunicorn) on given services."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent.parent
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, what: str, timeout: float = 30.0, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def stop_process(proc: subprocess.Popen | None) -> None:
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class PrivateRedis:
    """``redis-server`` on its own port (never the shared 6379), no persistence."""

    def __init__(self, tmp: Path):
        self.dir = Path(tmp) / f"redis-{os.getpid()}-{free_port()}"
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        log = open(self.dir / "redis.log", "ab")
        self.proc = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def answers() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")

        wait_until(answers, "redis-server", log=self.dir / "redis.log")
        return self

    def stop(self) -> None:
        stop_process(self.proc)


class PrivatePostgres:
    """A PostgreSQL cluster (initdb) in a temporary folder on its own port, run as the ``postgres`` user when root."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="registry-pg-"))  # its own folder: the postgres user must reach it
        self.port = free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=120)
        if done.returncode:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> "PrivatePostgres":
        data = self.dir / "data"
        if not data.exists():
            self._run(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "pg.log"), "-w", "-o",
                  f"-p {self.port} -h 127.0.0.1 -k {self.dir} -F", "start")
        return self

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def service_env(database: str, redis_url: str, instance: str, queue: str, **extra: str) -> dict:
    return {**os.environ, "REGISTRY_ENV": "testing", "DATABASE_URL": database, "REDIS_URL": redis_url,
            "INSTANCE_DIR": instance, "CELERY_QUEUE": queue, "PYTHONPATH": str(ROOT), **extra}


class BeatProcess:
    """``celery -A celery_worker beat`` with its own schedule file."""

    def __init__(self, env: dict, tmp: Path):
        self.env = env
        self.tmp = Path(tmp)
        self.log_path = self.tmp / f"beat-{free_port()}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "BeatProcess":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_worker", "beat", "--loglevel=INFO",
             "-s", str(self.tmp / f"schedule-{self.log_path.stem}")],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def stop(self) -> None:
        stop_process(self.proc)


class WebProcess:
    """gunicorn serving ``registry.wsgi:app`` on a free loopback port."""

    def __init__(self, env: dict, tmp: Path, workers: int = 1, extra_args: tuple[str, ...] = ()):
        self.env = env
        self.port = free_port()
        self.workers = workers
        self.extra_args = extra_args
        self.log_path = Path(tmp) / f"web-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "WebProcess":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{self.port}", "-w", str(self.workers),
             *self.extra_args, "registry.wsgi:app"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: requests.get(self.url + "/favicon.ico", timeout=5).ok, "gunicorn", timeout=60,
                   log=self.log_path)
        return self

    def stop(self) -> None:
        stop_process(self.proc)
