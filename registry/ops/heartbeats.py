"""Heartbeats a monitor can read per process: each worker stamps ``worker:<node name>`` on its own timer, beat
stamps ``beat`` after each publish. (The canary task's row, ``worker``, says the queue is consumed by some worker.)

``install`` wires both into the Celery app; nothing here runs until a worker or beat starts.
"""
from __future__ import annotations

import logging
import time

from celery import Celery, bootsteps
from celery.signals import after_task_publish, beat_init
from flask import Flask

log = logging.getLogger(__name__)

WORKER_PREFIX = "worker:"
BEAT = "beat"
CANARY = "worker"
BEAT_MIN_INTERVAL = 5.0  # seconds between two beat stamps (it publishes several tasks at once)


def worker_row(node: str) -> str:
    return (WORKER_PREFIX + node)[:64]


def _stamp(app: Flask, name: str, dispose: bool = False) -> None:
    """Write one heartbeat row; never raise (a database outage must not stop the worker or beat). ``dispose``: empty
    the connection pool afterwards, so a pool child the worker's main process forks later inherits no connection."""
    from registry.extensions import db
    from registry.services.health import record_heartbeat

    with app.app_context():
        try:
            record_heartbeat(name)
        except Exception:  # noqa: BLE001
            log.warning("heartbeat %s not written", name, exc_info=True)
            db.session.rollback()
        finally:
            db.session.remove()
            if dispose:
                db.engine.dispose()


def install(celery_app: Celery, app: Flask) -> None:
    interval = float(app.config["WORKER_HEARTBEAT_SECONDS"])

    class NodeHeartbeat(bootsteps.StartStopStep):
        """Runs on the worker's own timer once it consumes: stops when the worker's loop or broker link stops."""

        requires = {"celery.worker.consumer.tasks:Tasks"}

        def __init__(self, consumer, **kwargs):
            super().__init__(consumer, **kwargs)
            self.tref = None

        def start(self, consumer):
            name = worker_row(consumer.hostname)
            _stamp(app, name, True)
            self.tref = consumer.timer.call_repeatedly(interval, _stamp, (app, name, True), priority=10)

        def stop(self, consumer):
            if self.tref is not None:
                self.tref.cancel()
                self.tref = None

    celery_app.steps["consumer"].add(NodeHeartbeat)

    def on_beat_init(sender=None, **_kwargs):
        last = [0.0]

        def on_publish(sender=None, **_kw):
            if time.monotonic() - last[0] >= BEAT_MIN_INTERVAL:
                last[0] = time.monotonic()
                _stamp(app, BEAT)

        after_task_publish.connect(on_publish, weak=False, dispatch_uid="registry-beat-heartbeat")

    beat_init.connect(on_beat_init, weak=False, dispatch_uid="registry-beat-init")
