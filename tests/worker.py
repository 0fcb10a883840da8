"""Start and stop a real Celery worker (and beat, if asked) as child processes for integration tests."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class WorkerProcess:
    def __init__(self, service_urls: dict, extra_env: dict | None = None, concurrency: int = 2):
        self.service_urls = service_urls
        self.extra_env = extra_env or {}
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(service_urls["tmp"]) / "worker.log"

    def env(self) -> dict:
        env = dict(os.environ)
        env.update({
            "REGISTRY_ENV": "testing",
            "DATABASE_URL": self.service_urls["database"],
            "REDIS_URL": self.service_urls["redis"],
            "INSTANCE_DIR": self.service_urls["tmp"],
            "CELERY_QUEUE": self.service_urls["queue"],
            "PYTHONPATH": str(ROOT),
        })
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 60.0) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--loglevel=INFO",
             "-Q", self.service_urls["queue"], "-c", str(self.concurrency), "--without-gossip",
             "--without-mingle", "-n", f"test-{os.getpid()}@%h"],
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("worker exited:\n" + self.log_path.read_text(errors="replace")[-4000:])
            if "ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError("worker did not become ready:\n" + self.log_path.read_text(errors="replace")[-4000:])

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")
