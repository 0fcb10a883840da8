"""Redis stopped during 50 submissions (reliability.md, "Background work"): every submission is saved (no 5xx,
bounded time; p99 printed), and once Redis is back the outbox relay gets every notification delivered exactly once.
Uses a private redis-server on its own port and a second real worker bound to it; the machine's shared Redis is
never touched."""
from __future__ import annotations

import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.queues import queue_for
from registry.models import User
from tests import background
from tests.background import send
from tests.worker import WorkerProcess
from tests.workflows.receivers import SmtpSink, WebhookSink, free_port
from workflows import engine
from workflows.models import Application, NotificationPreference, Outbox

SUBMISSIONS = 50


class PrivateRedis:
    def __init__(self, tmp: str):
        self.port = free_port()
        self.dir = tmp
        self.proc: subprocess.Popen | None = None

    def start(self):
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", self.dir], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        for _ in range(100):
            try:
                import redis

                if redis.Redis(port=self.port, socket_timeout=0.5).ping():
                    return
            except Exception:  # noqa: BLE001  (not up yet)
                time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # only the server this test started, by its own handle
            self.proc.wait(timeout=10)

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def outage_setup(app, service_urls, tmp_path):
    from registry import create_app

    server = PrivateRedis(str(tmp_path))
    server.start()
    queue = service_urls["queue"] + "-outage"
    with SmtpSink() as smtp, WebhookSink() as webhook:
        side_app = create_app({"SQLALCHEMY_DATABASE_URI": service_urls["database"], "REDIS_URL": server.url,
                               "INSTANCE_DIR": str(tmp_path), "CELERY_QUEUE": queue, "SERVER_NAME": "localhost",
                               "SMTP_PORT": smtp.port})
        app.extensions["celery"].set_default()  # the session's app stays Celery's default
        worker = WorkerProcess({**service_urls, "redis": server.url, "queue": queue},
                               extra_env={"SMTP_PORT": str(smtp.port)})
        worker.log_path = Path(tmp_path) / "worker-outage.log"
        worker.start()
        try:
            yield side_app, server, smtp, webhook, worker
        finally:
            worker.stop()
            server.stop()
            with side_app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_submissions_survive_redis_outage(app, cast, draft, outage_setup):
    side_app, server, smtp, webhook, worker = outage_setup
    db.session.add(NotificationPreference(user_id=cast.town.id, email_enabled=True, webhook_enabled=True,
                                          webhook_url=webhook.url))
    db.session.commit()
    ids = [draft(product=f"产品{i}").id for i in range(SUBMISSIONS)]
    applicant_id = cast.applicant.id
    db.session.commit()

    server.stop()
    timings = []
    with side_app.app_context():
        applicant = db.session.get(User, applicant_id)
        for application_id in ids:
            started = time.monotonic()
            engine.apply(application_id, "submit", applicant)  # must not raise or hang with Redis down
            timings.append(time.monotonic() - started)
        db.session.remove()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Application.stage == "town_recommendation")) == SUBMISSIONS
    assert db.session.scalar(select(func.count(Outbox.id)).where(Outbox.status == "pending")) == 2 * SUBMISSIONS
    assert max(timings) < 2.0, timings
    p99 = sorted(timings)[max(0, round(0.99 * len(timings)) - 1)]
    print(f"\n{SUBMISSIONS} submissions with Redis stopped: 5xx = 0 (none raised), p99 {p99:.3f}s, max "
          f"{max(timings):.3f}s, mean {sum(timings) / len(timings):.3f}s")

    server.start()
    expected = {f"{o.effect_key}" for o in db.session.scalars(select(Outbox))}
    db.session.rollback()
    deadline = time.monotonic() + 90
    k = 1
    with side_app.app_context():
        while time.monotonic() < deadline:
            later = datetime.now(timezone.utc) + timedelta(minutes=k)
            try:
                side_app.extensions["celery"].send_task("workflows.relay_outbox", kwargs={"now": later.isoformat()},
                                                        queue=queue_for(side_app.config["CELERY_QUEUE"], "workflows.relay_outbox"))
            except Exception:  # noqa: BLE001  (client reconnecting)
                pass
            k += 1
            time.sleep(3)
            delivered = set(smtp.effect_keys()) | set(webhook.effect_keys())
            if expected <= delivered:
                break
        relays = [send(side_app, "workflows.relay_outbox", side_app.config["CELERY_QUEUE"], now=(
            datetime.now(timezone.utc) + timedelta(hours=k)).isoformat()) for _ in range(3)]
        # more relays must not deliver anything twice: wait for the worker's log of each, not a fixed time
        background.wait_for(lambda: all(background.finished(worker, r) for r in relays), 30, "the extra relays",
                            [worker])
    keys = smtp.effect_keys() + webhook.effect_keys()
    assert set(keys) == expected, worker.log()[-3000:]
    assert len(keys) == len(expected) == 2 * SUBMISSIONS
    db.session.rollback()  # end this test's read snapshot to see the worker's commits
    assert {o.status for o in db.session.scalars(select(Outbox))} == {"done"}
    print(f"after the restart: {len(keys)} effects (e-mail and webhook of each submission), each exactly once")
