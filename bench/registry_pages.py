"""Measure the registry pages under concurrent load against a trivial route of the same app, in the same run.

The app runs under gunicorn on 127.0.0.1; client threads (``requests``, one signed-in session each) send bounded
loops that stop after ``duration`` seconds or ``max_requests`` requests. Each target is a list of URLs visited in
random order, so the list pages, searches and enterprise pages vary as real use does.
"""
from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import requests

from bench.common import BENCH_EMAIL, BENCH_PASSWORD, ROOT, instance_dir, out, percentile, redis_url

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Result:
    label: str
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    load: float = 0.0  # 1-minute load average at the end of the run

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def rps(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0

    def p(self, pct: float) -> float:
        return percentile(sorted(self.latencies_ms), pct)


class Server:
    """gunicorn serving ``registry.wsgi:app`` on the bench database; a context manager that always stops it."""

    def __init__(self, database_url: str, port: int, workers: int, threads: int):
        self.base = f"http://127.0.0.1:{port}"
        self.command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
                        "-b", f"127.0.0.1:{port}", "--log-level", "warning", "registry.wsgi:app"]
        self.env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url(),
                    "INSTANCE_DIR": instance_dir(), "REGISTRY_ENV": "development", "CELERY_QUEUE": "bench",
                    "RATELIMIT_ENABLED": "0"}  # only POST /login is limited; all clients sign in as one account
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        log = open(os.path.join(instance_dir(), "gunicorn.log"), "w")
        self.proc = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {log.name}")
            try:
                if requests.get(self.base + "/login", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def __exit__(self, *_exc) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the master and its workers only
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def signed_in_session(base: str) -> requests.Session:
    """A session signed in as the bench bureau account through the real login form."""
    session = requests.Session()
    page = session.get(base + "/login", timeout=10)
    token = CSRF_RE.search(page.text)
    if not token:
        raise RuntimeError("login page has no CSRF token")
    done = session.post(base + "/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD,
                                               "csrf_token": token.group(1)}, allow_redirects=False, timeout=10)
    if done.status_code != 302:
        raise RuntimeError(f"bench login failed: {done.status_code}")
    return session


def run_load(base: str, sessions: list[requests.Session], targets: dict[str, list[str]], duration: float,
             max_requests: int, warmup: float = 1.0) -> dict[str, Result]:
    """Each session in its own thread GETs until ``duration`` s or ``max_requests`` in all: every request picks a
    target at random, then one of its URLs. Targets run interleaved, so each sees the same machine: measuring a
    page together with the baseline keeps their ratio honest on a busy machine."""
    results = {label: Result(label, len(sessions)) for label in targets}
    labels = list(targets)
    lock = threading.Lock()
    budget = [max_requests]

    def client(session: requests.Session, seed: int, until: float, record: bool) -> None:
        rng = random.Random(seed)
        while time.perf_counter() < until:
            if record:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
            label = rng.choice(labels)
            started = time.perf_counter()
            try:
                response = session.get(base + rng.choice(targets[label]), timeout=30, allow_redirects=False)
                status = response.status_code
            except requests.RequestException:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            if record:
                with lock:
                    result = results[label]
                    result.latencies_ms.append(elapsed)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if status != 200:
                        result.errors += 1

    for record, seconds in ((False, warmup), (True, duration)):
        until = time.perf_counter() + seconds
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(s, i, until, record)) for i, s in enumerate(sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if record:
            for result in results.values():
                result.seconds = time.perf_counter() - started
    load = os.getloadavg()[0]
    for result in results.values():
        result.load = load
    return results


def print_results(pairs: list[tuple[Result, Result]], goal_ms: dict[str, float]) -> None:
    """One line per target and one for the baseline measured interleaved with it; ratios are target/baseline."""
    out(f"{'target':<34} {'conc':>4} {'n':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'err':>4} {'p95/base':>8} {'load':>5}  goal")
    for target, baseline in pairs:
        for r, is_base in ((target, False), (baseline, True)):
            goal = None if is_base else goal_ms.get(r.label)
            verdict = "" if goal is None else \
                f"p95<={goal:.0f}ms {'OK' if r.p(95) <= goal and not r.errors else 'MISSED'}"
            ratio = f"{r.p(95) / baseline.p(95):8.2f}" if baseline.p(95) and not is_base else " " * 8
            label = "  ...baseline, interleaved" if is_base else r.label
            out(f"{label:<34} {r.concurrency:>4} {r.count:>6} {r.rps:>7.1f} {r.p(50):>7.1f} {r.p(95):>7.1f} "
                f"{r.p(99):>7.1f} {r.errors:>4} {ratio} {r.load:>5.1f}  {verdict}")
            if r.errors:
                out(f"   statuses: {r.statuses}")


def profile_pages(app, paths: list[str], repeats: int = 15) -> dict[str, dict]:
    """Per page, in-process and one request at a time: SQL statements, median wall ms, median SQL ms (wall, the
    database's work included) and median app CPU ms (this thread's CPU time: what other processes on a busy
    machine do not inflate).

    Signs in as the bench account through the login form; each path is requested twice to warm up, then the
    paths are visited in rounds, ``repeats`` rounds of every path in turn (so a busy spell of the machine falls
    on all pages alike and their ratios hold), with ``before_cursor_execute`` / ``after_cursor_execute``
    listeners counting and timing the statements. No load clients compete here, so these figures isolate the
    server's own cost.
    """
    from statistics import median

    from sqlalchemy import event

    from registry.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    client.post("/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token})
    sql_ms: list[float] = []
    statements = [0]

    def before(conn, *_args):
        conn.info["bench_started"] = time.perf_counter()
        statements[0] += 1

    def after(conn, *_args):
        sql_ms.append((time.perf_counter() - conn.info.pop("bench_started")) * 1000)

    for path in paths:
        for _ in range(2):
            client.get(path)
    seen = {path: {"totals": [], "cpus": [], "sqls": [], "counts": set(), "status": 0} for path in paths}
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        for _ in range(repeats):
            for path in paths:
                got = seen[path]
                sql_ms.clear()
                statements[0] = 0
                started, cpu_started = time.perf_counter(), time.thread_time()
                got["status"] = client.get(path).status_code
                got["totals"].append((time.perf_counter() - started) * 1000)
                got["cpus"].append((time.thread_time() - cpu_started) * 1000)
                got["sqls"].append(sum(sql_ms))
                got["counts"].add(statements[0])
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return {path: {"status": got["status"], "statements": max(got["counts"]), "stable": len(got["counts"]) == 1,
                   "total_ms": median(got["totals"]), "sql_ms": median(got["sqls"]), "cpu_ms": median(got["cpus"])}
            for path, got in seen.items()}
