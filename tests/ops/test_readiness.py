"""/readyz: each component is stopped for real and the verdict changes (issue 10, item 4).

A private redis-server on its own port carries two named workers and a beat of this test; the app under test is
pointed at it through its settings. A private PostgreSQL cluster is stopped under a gunicorn; a 1 MB tmpfs is filled.
"""
from __future__ import annotations

import os
import subprocess
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from celery import Celery

from registry.extensions import db
from registry.queues import queue_for
from tests.ops.private_services import BeatProcess, PrivatePostgres, PrivateRedis, WebProcess, service_env
from tests.worker import WorkerProcess

FAST = {"READY_WORKER_STALE_SECONDS": 3, "READY_BEAT_STALE_SECONDS": 15, "READY_CANARY_STALE_SECONDS": 60}


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, response.get_json()


def wait_ready(client, condition, what: str, timeout: float = 60.0, logs=()) -> dict:
    deadline = time.monotonic() + timeout
    body: dict = {}
    while time.monotonic() < deadline:
        _, body = ready(client)
        if condition(body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}: {body}\n" + "".join(p.log_path.read_text()[-2000:]
                                                                           for p in logs))


def component(body: dict, prefix: str) -> tuple[str, dict]:
    found = [(name, value) for name, value in body["components"].items() if name.startswith(prefix)]
    assert len(found) == 1, (prefix, body)
    return found[0]


def know_next_year() -> None:
    from workflows.services.holidays import set_day

    set_day(date(date.today().year + 1, 1, 1), False, "元旦")


@pytest.fixture
def private_redis(service_urls):
    server = PrivateRedis(Path(service_urls["tmp"])).start()
    yield server
    server.stop()


def test_each_worker_and_beat_by_name_then_stopped_ones_and_redis_degrade(app, client, service_urls, private_redis,
                                                                         monkeypatch):
    for key, value in {**FAST, "REDIS_URL": private_redis.url}.items():
        monkeypatch.setitem(app.config, key, value)
    know_next_year()
    queue = f"ready-{uuid.uuid4().hex[:6]}"
    urls = {**service_urls, "redis": private_redis.url, "queue": queue}
    fast = {"WORKER_HEARTBEAT_SECONDS": "1"}
    tag = uuid.uuid4().hex[:6]
    alpha = WorkerProcess(urls, fast, concurrency=1, node_name=f"alpha-{tag}@%h", log_name=f"alpha-{tag}.log")
    beta = WorkerProcess(urls, fast, concurrency=1, node_name=f"beta-{tag}@%h", log_name=f"beta-{tag}.log")
    beat = BeatProcess(service_env(service_urls["database"], private_redis.url, service_urls["tmp"], queue),
                       Path(service_urls["tmp"]))
    try:
        _, before = ready(client)
        assert before["status"] == "degraded" and before["components"]["workers"]["status"] == "degraded"
        alpha.start()
        beta.start()
        beat.start()
        Celery(broker=private_redis.url).send_task("registry.heartbeat", queue=queue_for(queue, "registry.heartbeat"))
        body = wait_ready(client, lambda b: b["status"] == "ok", "all ok", logs=(alpha, beta, beat))
        assert component(body, f"worker:alpha-{tag}@")[1]["status"] == "ok"
        assert component(body, f"worker:beta-{tag}@")[1]["status"] == "ok"
        assert body["components"]["beat"]["status"] == "ok" and body["components"]["canary"]["status"] == "ok"

        stopped = time.monotonic()
        beta.stop()
        body = wait_ready(client, lambda b: component(b, f"worker:beta-{tag}@")[1]["status"] == "degraded",
                          "beta's verdict", timeout=30)
        print(f"\nworker stopped -> degraded in {time.monotonic() - stopped:.1f} s (threshold 3 s, heartbeat 1 s)")
        assert body["status"] == "degraded"
        assert component(body, f"worker:alpha-{tag}@")[1]["status"] == "ok"
        assert ready(client)[0] == 200

        beat.stop()
        body = wait_ready(client, lambda b: b["components"]["beat"]["status"] == "degraded", "beat's verdict",
                          timeout=40)
        assert body["components"]["beat"]["age_seconds"] >= 15

        private_redis.stop()
        status, body = ready(client)
        assert status == 200 and body["status"] == "degraded"  # pages still serve; the outbox keeps the work
        assert body["components"]["redis"]["status"] == "degraded" and body["components"]["database"]["status"] == "ok"
    finally:
        for process in (beat, beta, alpha):
            process.stop()


def test_database_stopped_is_down_with_503(service_urls, private_redis):
    tmp = Path(service_urls["tmp"]) / f"pgweb-{uuid.uuid4().hex[:6]}"
    tmp.mkdir()
    postgres = PrivatePostgres().start()
    web = WebProcess(service_env(postgres.url, private_redis.url, str(tmp), "pgweb"), tmp)
    try:
        web.start()
        up = requests.get(web.url + "/readyz", timeout=10)
        assert up.status_code == 200 and up.json()["components"]["database"]["status"] == "ok"
        postgres.stop()
        down = requests.get(web.url + "/readyz", timeout=30)
        assert down.status_code == 503, down.text
        assert down.json()["status"] == "down" and down.json()["components"]["database"]["status"] == "down"
        assert down.json()["components"]["redis"]["status"] == "ok"
        postgres.start()
        back = requests.get(web.url + "/readyz", timeout=30)
        assert back.status_code == 200 and back.json()["components"]["database"]["status"] == "ok"
    finally:
        web.stop()
        postgres.remove()


@pytest.fixture
def tiny_disk(service_urls):
    """A 1 MB tmpfs (root), else skip: the free-space threshold test below covers the same verdicts."""
    path = Path(service_urls["tmp"]) / f"tiny-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(path)],
                                                   capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a tmpfs here")
    yield path
    subprocess.run(["umount", "-l", str(path)], check=False)


def test_filling_the_upload_volume_degrades_then_takes_the_node_down(app, client, tiny_disk, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tiny_disk))
    monkeypatch.setitem(app.config, "READY_DISK_MIN_FREE_MB", 0.5)
    monkeypatch.setitem(app.config, "READY_DISK_CRITICAL_FREE_MB", 0.25)
    _, body = ready(client)
    assert body["components"]["disk"]["status"] == "ok", body["components"]["disk"]
    (tiny_disk / "a.bin").write_bytes(b"x" * 600 * 1024)
    _, body = ready(client)
    assert body["components"]["disk"]["status"] == "degraded" and body["components"]["disk"]["path"] == str(tiny_disk)
    (tiny_disk / "b.bin").write_bytes(b"x" * 300 * 1024)
    status, body = ready(client)
    assert status == 503 and body["status"] == "down" and body["components"]["disk"]["status"] == "down"


def test_free_space_threshold_is_a_setting(app, client, monkeypatch):
    _, body = ready(client)
    free = body["components"]["disk"]["free_mb"]
    monkeypatch.setitem(app.config, "READY_DISK_MIN_FREE_MB", free * 2 + 10)
    assert ready(client)[1]["components"]["disk"]["status"] == "degraded"


def test_old_pending_mail_and_dead_letters_degrade(app, client):
    from workflows.models import Outbox

    now = datetime.now(timezone.utc)
    db.session.add(Outbox(effect_key="t:fresh", task="workflows.send_notification", payload={"channel": "email"},
                          created_at=now, next_attempt_at=now))
    db.session.commit()
    body = ready(client)[1]
    assert body["components"]["outbox"]["status"] == "ok" and body["components"]["outbox"]["pending"] == 1
    db.session.add(Outbox(effect_key="t:old", task="workflows.send_notification", payload={"channel": "email"},
                          created_at=now - timedelta(hours=1), next_attempt_at=now - timedelta(hours=1)))
    db.session.commit()
    outbox = ready(client)[1]["components"]["outbox"]
    assert outbox["status"] == "degraded" and outbox["oldest_pending_age_seconds"] >= 3600
    assert ready(client)[1]["components"]["dead_letters"] == {"status": "ok", "count": 0, "threshold": 0}
    db.session.add(Outbox(effect_key="t:dead", task="workflows.send_notification", payload={"channel": "sms"},
                          status="dead", attempts=8))
    db.session.commit()
    assert ready(client)[1]["components"]["dead_letters"]["status"] == "degraded"


def test_calendar_must_know_this_year_and_next_year_from_december(app):
    from registry.ops.readiness import check_calendar
    from workflows.services.holidays import set_day

    june, december = datetime(2031, 6, 1, tzinfo=timezone.utc), datetime(2031, 12, 2, tzinfo=timezone.utc)
    verdict = check_calendar(app.config, june)
    assert verdict.status == "degraded" and verdict.detail["years"] == {"2031": None, "2032": None}
    set_day(date(2031, 10, 1), False, "国庆节")
    assert check_calendar(app.config, june).status == "ok"  # next year is not due before December
    late = check_calendar(app.config, december)
    assert late.status == "degraded" and late.detail["years"] == {"2031": "bureau", "2032": None}
    set_day(date(2032, 1, 1), False, "元旦")
    assert check_calendar(app.config, december).status == "ok"
    assert check_calendar(app.config, datetime(2026, 6, 1, tzinfo=timezone.utc)).detail["years"]["2026"] == \
        "chinese_calendar"
