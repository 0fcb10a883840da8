"""/metrics (issue 10, item 5): Prometheus text, behind a token or an address allow-list; request, sign-in, outbox,
queue, heartbeat and application figures; several gunicorn worker processes add up (multiprocess mode)."""
from __future__ import annotations

import os
import shutil
import signal
import time
import uuid
from pathlib import Path

import pytest
import requests
from celery import Celery
from prometheus_client.parser import text_string_to_metric_families

from registry.extensions import db
from registry.queues import all_queues, queue_for
from tests.ops.private_services import PrivateRedis
from tests.ops.stack import Gunicorn
from tests.workflows.conftest import cast, draft  # noqa: F401  (fixtures)

TOKEN = "metrics-token-" + "x" * 24


def figures(text: str) -> dict[tuple[str, frozenset], float]:
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(found: dict, name: str, /, **labels) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def total(found: dict, name: str, /, **labels) -> float:
    """Sum over every sample of ``name`` whose labels include ``labels``."""
    return sum(v for (n, ls), v in found.items() if n == name and set(labels.items()) <= set(ls))


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return figures(response.get_data(as_text=True))


def test_metrics_need_the_token_or_an_allowed_address(app, client, monkeypatch):
    assert client.get("/metrics").status_code == 200  # the default allow-list: loopback
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.0.7"}).status_code == 403
    monkeypatch.setitem(app.config, "METRICS_ALLOW", ("10.20.0.0/24",))
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.0.7"}).status_code == 200
    monkeypatch.setitem(app.config, "METRICS_ALLOW", ())
    assert client.get("/metrics").status_code == 403
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.fixture
def private_redis(service_urls):
    server = PrivateRedis(Path(service_urls["tmp"])).start()
    yield server
    server.stop()


def test_figures_follow_requests_sign_ins_outbox_queues_heartbeats_and_applications(app, client, auth, cast, draft,
                                                                                   private_redis, monkeypatch):
    from registry.services.health import record_heartbeat
    from workflows.models import Outbox

    monkeypatch.setitem(app.config, "REDIS_URL", private_redis.url)
    before = scrape(client)

    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    auth.login(cast.bureau, "wrong-password")
    auth.login(cast.bureau, "wrong-password-again")
    application = draft()
    for key, channel, status in (("a", "email", "pending"), ("b", "email", "pending"), ("c", "webhook", "sending"),
                                 ("d", "sms", "dead"), ("e", "email", "done")):
        db.session.add(Outbox(effect_key=f"m:{key}", task="workflows.send_notification",
                              payload={"notification_id": 0, "channel": channel}, status=status))
    db.session.commit()
    record_heartbeat("worker:metrics-node@host")
    queue = queue_for(app.config["CELERY_QUEUE"], "registry.heartbeat")
    sender = Celery(broker=private_redis.url)
    for priority in (None, None, 9):  # kombu keeps a priority in a list of its own: counted too
        sender.send_task("registry.heartbeat", queue=queue, priority=priority)

    after = scrape(client)
    healthz = {"endpoint": "home.healthz", "method": "GET"}
    assert value(after, "registry_http_requests_total", status="200", **healthz) - \
        value(before, "registry_http_requests_total", status="200", **healthz) == 3
    assert value(after, "registry_http_request_duration_seconds_count", **healthz) - \
        value(before, "registry_http_request_duration_seconds_count", **healthz) == 3
    assert value(after, "registry_http_request_duration_seconds_bucket", le="+Inf", **healthz) >= 3
    assert value(after, "registry_sign_in_failures_total", reason="rejected") - \
        value(before, "registry_sign_in_failures_total", reason="rejected") == 2
    assert value(after, "registry_outbox_jobs", channel="email", status="pending") == 2
    assert value(after, "registry_outbox_jobs", channel="webhook", status="sending") == 1
    assert value(after, "registry_outbox_jobs", channel="sms", status="dead") == 1
    assert total(after, "registry_outbox_jobs", status="done") == 0
    assert value(after, "registry_applications", workflow="pinzibiao", stage=application.stage,
                 status=application.status) == 1
    assert 0 <= value(after, "registry_heartbeat_age_seconds", name="worker:metrics-node@host") < 60
    assert value(after, "registry_celery_queue_length", queue=queue) == 3
    lengths = {dict(labels)["queue"]: v for (name, labels), v in after.items() if name == "registry_celery_queue_length"}
    assert set(lengths) == set(all_queues(app.config["CELERY_QUEUE"])) and sum(lengths.values()) == 3
    assert value(after, "registry_redis_up") == 1

    private_redis.stop()
    down = scrape(client)  # Redis down: the database figures still come
    assert value(down, "registry_redis_up") == 0 and value(down, "registry_outbox_jobs", channel="sms",
                                                            status="dead") == 1


# The counted requests go to a page nothing else asks for: the stack's readiness probe polls /healthz with a 2 s
# timeout, and under load a probe it gave up on is still served later, inside the counted window (202 of 200 once).
COUNTED = {"path": "/login", "endpoint": "auth.login"}


def _per_process(folder: Path, tmp: Path) -> dict[int, float]:
    """Requests to the sign-in page counted by each process, from its own counter file."""
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    counts = {}
    for path in folder.glob("counter_*.db"):
        pid = int(path.stem.split("_")[1])
        alone = tmp / f"one-{pid}-{uuid.uuid4().hex[:4]}"
        alone.mkdir()
        shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts[pid] = total(figures(generate_latest(registry).decode()), "registry_http_requests_total",
                            endpoint=COUNTED["endpoint"])
    return counts


def test_two_gunicorn_workers_count_every_request(service_urls, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_1.db").write_bytes(b"left over from a previous run")  # emptied at start (on_starting)
    env = {"WEB_WORKERS": "2", "WEB_THREADS": "2", "PROMETHEUS_MULTIPROC_DIR": str(folder), "METRICS_TOKEN": TOKEN,
           "METRICS_ALLOW": ""}
    with Gunicorn(service_urls, tmp_path, env) as web:
        assert requests.get(web.url + "/metrics", timeout=10).status_code == 403  # loopback, but no list: token
        headers = {"Authorization": f"Bearer {TOKEN}"}
        for _ in range(50):
            requests.get(web.url + "/favicon.ico", timeout=10)  # warm both workers
        start = _per_process(folder, tmp_path)
        before = figures(requests.get(web.url + "/metrics", headers=headers, timeout=10).text)
        n = 200
        for _ in range(n):  # a new connection each time: the kernel hands them to either worker
            assert requests.get(web.url + COUNTED["path"], timeout=10).status_code == 200
        end = _per_process(folder, tmp_path)
        served = {pid: end[pid] - start.get(pid, 0) for pid in end}
        print(f"\n{n} requests served per worker process: {served}")
        assert len([pid for pid, count in served.items() if count > 0]) == 2, served
        after = figures(requests.get(web.url + "/metrics", headers=headers, timeout=10).text)
        key = {"endpoint": COUNTED["endpoint"], "method": "GET", "status": "200"}
        assert value(after, "registry_http_requests_total", **key) - value(before, "registry_http_requests_total",
                                                                           **key) == n

        # A worker killed and replaced: what it counted still counts.
        os.kill(max(served, key=served.get), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(list(folder.glob("counter_*.db"))) < 3 and time.monotonic() < deadline:
            requests.get(web.url + "/favicon.ico", timeout=10)
        final = figures(requests.get(web.url + "/metrics", headers=headers, timeout=10).text)
        assert value(final, "registry_http_requests_total", **key) >= value(after, "registry_http_requests_total",
                                                                            **key)
        assert not (folder / "counter_1.db").exists()
