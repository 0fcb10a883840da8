"""Redis restarted under a running worker (reliability.md, "Background work": a worker alive but not consuming
after a reconnect, celery#10302): a private redis-server on its own port is stopped and started again 5 times
while a real worker is bound to it; after each restart one canary (``registry.heartbeat``, to the canary queue) is
sent and must be run by the worker, which stamps the canary rows (``worker``, and ``canary:<its node name>``);
/readyz (of an app bound to the same Redis, with short thresholds) must report redis, canary and this worker's own
heartbeat (``worker:<node name>``) ok again each time. Figures: canaries run 5/5, /readyz recovered 5/5, the time
from the restart to the canary's heartbeat and to /readyz ok. The machine's shared Redis is never touched."""
from __future__ import annotations

import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from registry.clock import aware
from registry.extensions import db
from registry.models.heartbeat import Heartbeat
from registry.services.health import heartbeat_age_seconds
from tests.background import send, wait_for
from tests.worker import WorkerProcess
from tests.workflows.test_redis_outage import PrivateRedis

RESTARTS = 5


@pytest.fixture
def restartable(app, service_urls, private_queue, tmp_path):
    from registry import create_app

    server = PrivateRedis(str(tmp_path))
    server.start()
    side_app = create_app({"SQLALCHEMY_DATABASE_URI": service_urls["database"], "REDIS_URL": server.url,
                           "INSTANCE_DIR": str(tmp_path), "CELERY_QUEUE": private_queue, "SERVER_NAME": "localhost",
                           "READY_CANARY_STALE_SECONDS": 5, "READY_WORKER_STALE_SECONDS": 3})
    app.extensions["celery"].set_default()  # the session's app stays Celery's default
    worker = WorkerProcess({**service_urls, "redis": server.url, "queue": private_queue}, {"WORKER_HEARTBEAT_SECONDS": "1"},
                           concurrency=1,
                           node_name=f"canary-{os.getpid()}@%h")
    worker.log_path = Path(tmp_path) / "worker.log"
    worker.start()
    try:
        yield side_app, server, worker
    finally:
        worker.stop()
        server.stop()
        with side_app.app_context():
            db.session.remove()
            db.engine.dispose()


def _beat_at(name: str) -> datetime | None:
    db.session.rollback()
    row = db.session.get(Heartbeat, name)
    return aware(row.beat_at) if row else None


def _ready(side_app, node: str) -> bool:
    """/readyz says Redis is reachable, the canary ran lately and this worker's own heartbeat is fresh."""
    body = side_app.test_client().get("/readyz").get_json()
    parts = body["components"]
    return all(parts.get(name, {}).get("status") == "ok" for name in ("redis", "canary", f"worker:{node}"))


def test_the_canary_runs_after_every_redis_restart(app, private_queue, restartable):
    side_app, server, worker = restartable
    node = f"canary-{os.getpid()}@{socket.gethostname()}"
    name = f"canary:{node}"
    succeeded, recovered, recoveries, ready_after, ages = 0, 0, [], [], []
    for _ in range(RESTARTS):
        server.stop()
        server.start()  # the same port, an empty server: what was queued is gone
        restarted, t0 = datetime.now(timezone.utc), time.monotonic()
        send(side_app, "registry.heartbeat", private_queue)
        wait_for(lambda: (_beat_at(name) or restarted) > restarted, 90, "the canary after the restart", [worker])
        recoveries.append(time.monotonic() - t0)
        succeeded += 1
        ages.append(heartbeat_age_seconds(name))
        assert ages[-1] < 5 and heartbeat_age_seconds() < 5
        with side_app.app_context():
            wait_for(lambda: _ready(side_app, node), 30, "/readyz ok again", [worker])
        ready_after.append(time.monotonic() - t0)
        recovered += 1
    assert succeeded == recovered == RESTARTS
    print(f"\nRedis restarted {RESTARTS}x under a running worker: canary run {succeeded}/{RESTARTS}, /readyz "
          f"recovered {recovered}/{RESTARTS}; heartbeat of {name} back after {min(recoveries):.1f}-"
          f"{max(recoveries):.1f}s (age then <= {max(ages):.1f}s), /readyz ok after {max(ready_after):.1f}s at most")
