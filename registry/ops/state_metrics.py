"""Figures read at scrape time (not counted per process): outbox jobs by channel and status, Celery queue lengths,
heartbeat ages, applications by workflow, stage and status."""
from __future__ import annotations

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from registry.extensions import db

PRIORITY_SEPARATOR = "\x06\x16"  # kombu's Redis transport keeps priorities 3, 6, 9 of a queue in lists named so
PRIORITY_STEPS = (3, 6, 9)
OUTBOX_STATES = ("pending", "sending", "dead")


def queue_names(app: Flask) -> list[str]:
    """Every queue the installation declares (registry.queues: <CELERY_QUEUE>.default, .notifications, ...).

    Not Celery's ``amqp.queues``: that also holds any queue a task was once sent to by name (a test's private one).
    """
    from registry.queues import all_queues

    return sorted(all_queues(app.config["CELERY_QUEUE"]))


def queue_lengths(app: Flask) -> dict[str, int]:
    import redis

    from registry.redis_urls import urls_for

    timeout = float(app.config["READY_REDIS_TIMEOUT"])
    client = redis.Redis.from_url(urls_for(app.config["REDIS_URL"]).client, socket_timeout=timeout,
                                  socket_connect_timeout=timeout)
    try:
        with client.pipeline(transaction=False) as pipe:
            names = queue_names(app)
            for name in names:
                for key in (name, *(f"{name}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS)):
                    pipe.llen(key)
            counts = pipe.execute()
        step = 1 + len(PRIORITY_STEPS)
        return {name: sum(counts[i * step:(i + 1) * step]) for i, name in enumerate(names)}
    finally:
        client.close()


class StateCollector:
    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        from registry.services.health import heartbeat_ages
        from workflows.models import Application, Outbox

        outbox = GaugeMetricFamily("registry_outbox_jobs", "Outbox jobs by channel and status",
                                   labels=["channel", "status"])
        channel = Outbox.payload["channel"].as_string()
        rows = db.session.execute(select(channel, Outbox.status, func.count()).where(
            Outbox.status.in_(OUTBOX_STATES)).group_by(channel, Outbox.status)).all()
        for name, status, count in rows:
            outbox.add_metric([name or "none", status], count)
        yield outbox

        ages = GaugeMetricFamily("registry_heartbeat_age_seconds", "Seconds since each heartbeat (worker:<node>: "
                                 "that worker; worker: the canary task; beat: beat's last publish)", labels=["name"])
        for name, age in sorted(heartbeat_ages().items()):
            ages.add_metric([name], age)
        yield ages

        applications = GaugeMetricFamily("registry_applications", "Applications by workflow, stage and status",
                                         labels=["workflow", "stage", "status"])
        for workflow, stage, status, count in db.session.execute(
                select(Application.workflow, Application.stage, Application.status, func.count())
                .group_by(Application.workflow, Application.stage, Application.status)):
            applications.add_metric([workflow, stage, status], count)
        yield applications
        db.session.rollback()  # end the read transaction

        queues = GaugeMetricFamily("registry_celery_queue_length", "Tasks waiting in each Celery queue",
                                   labels=["queue"])
        up = GaugeMetricFamily("registry_redis_up", "1 when Redis answered this scrape")
        try:
            for name, length in queue_lengths(self.app).items():
                queues.add_metric([name], length)
            up.add_metric([], 1)
        except Exception:  # noqa: BLE001  (Redis down: the other figures still count)
            up.add_metric([], 0)
        yield queues
        yield up
