"""Start and stop a real Celery worker (and beat, if asked) as child processes for integration tests."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from registry.queues import all_queues

ROOT = Path(__file__).resolve().parent.parent


class WorkerProcess:
    def __init__(self, service_urls: dict, extra_env: dict | None = None, concurrency: int = 2,
                 node_name: str | None = None, log_name: str = "worker.log"):
        self.service_urls = service_urls
        self.node_name = node_name or f"test-{os.getpid()}@%h"
        self.extra_env = extra_env or {}
        self.concurrency = concurrency
        self.proc: subprocess.Popen | None = None
        self.log_path = Path(service_urls["tmp"]) / log_name

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
        """Start the worker (again, after a stop or a kill) and wait until this start's "ready." is logged."""
        seen = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_worker", "worker", "--loglevel=INFO",
             "-Q", ",".join(all_queues(self.service_urls["queue"])), "-c", str(self.concurrency), "--without-gossip",
             "--without-mingle", "-n", self.node_name],
            cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("worker exited:\n" + self.log_path.read_text(errors="replace")[-4000:])
            if "ready." in self.log_path.read_bytes()[seen:].decode(errors="replace"):
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

    def pool_pids(self) -> list[int]:
        """The pids of the worker's pool children (the processes running tasks)."""
        if not self.proc or self.proc.poll() is not None:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # gone meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:  # field 4: the parent's pid
                children.append(int(entry.name))
        return children

    def kill_main(self) -> list[int]:
        """SIGKILL the main worker process only, as the OOM killer would, and return the pids of its pool children
        (Celery has the kernel kill them when their parent dies; ``wait_gone`` checks they are gone)."""
        orphans = self.pool_pids()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        return orphans

    @staticmethod
    def wait_gone(pids: list[int], timeout: float = 15.0) -> list[int]:
        """Wait until these (orphaned) processes have exited; SIGKILL any still there after ``timeout``, by pid.
        Returns the pids that had to be killed."""
        def alive(pid: int) -> bool:
            try:
                return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
            except OSError:
                return False

        deadline = time.monotonic() + timeout
        while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        stuck = [pid for pid in pids if alive(pid)]
        for pid in stuck:
            os.kill(pid, signal.SIGKILL)
        return stuck

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


class BeatProcess:
    """A real ``celery beat`` child process (the redbeat scheduler, as configured) for this session's services,
    with its own log; ``extra_env`` sets e.g. ``BEAT_INTERVALS`` (config.py)."""

    def __init__(self, service_urls: dict, log_path: Path, extra_env: dict | None = None):
        self.worker = WorkerProcess(service_urls, extra_env)  # the same environment
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60.0, ready: str = "beat: Starting...") -> None:
        """Start beat and wait for ``ready`` in this start's log: by default the scheduler running (it holds the
        lock); ``"is starting."`` for a beat that will wait for another's lock."""
        seen = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "celery_worker", "beat", "--loglevel=INFO",
             "-s", str(self.log_path.with_suffix(".schedule"))],
            cwd=ROOT, env=self.worker.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("beat exited:\n" + self.log()[-4000:])
            if ready in self.log_path.read_bytes()[seen:].decode(errors="replace"):
                return
            time.sleep(0.2)
        raise RuntimeError("beat did not start:\n" + self.log()[-4000:])

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def sent(self, entry: str) -> int:
        """How many times this beat has sent the entry's job."""
        return self.log().count(f"Scheduler: Sending due task {entry} ")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
