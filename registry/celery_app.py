"""Celery bound to the Flask app: every task runs inside an app context (Flask's "Background Tasks" pattern).

Hardening (reliability.md, "Background work"): four queues per installation (``registry.queues``) with a router
that reads the ``CELERY_QUEUE`` prefix at send time; soft and hard time limits per queue kind; pool processes
replaced after ``WORKER_MAX_TASKS_PER_CHILD`` tasks; every beat job ``expires`` after a fraction of its interval,
so a worker outage does not leave a pile of stale sweeps ahead of user work; beat keeps its schedule in Redis and
holds a lock there (celery-redbeat), so a second beat started by mistake waits instead of doubling every sweep.
"""
from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from celery import Celery, Task
from kombu import Queue
from flask import Flask

from registry import logs, request_ids
from registry.database import writes_held
from registry.ops import heartbeats
from registry.queues import all_queues, kind_of, queue_for, queue_name
from registry.redis_urls import urls_for
from registry.schedule import BEAT_SCHEDULE, TASK_MODULES
from registry.task_producer import KeptProducer


class TimeLimits:
    """Celery task annotation: each task's soft and hard time limit from its queue kind's settings."""

    def __init__(self, limits: dict):
        self.limits = limits

    def annotate(self, task) -> dict | None:
        soft, hard = self.limits.get(kind_of(task.name)) or self.limits["default"]
        # 0, not None, for "no soft limit": None would fall back to the default kind's soft limit, and a soft limit
        # past the hard one postpones the hard one (Celery arms it only when the soft one fires).
        return {"soft_time_limit": soft or 0, "time_limit": hard}


def beat_schedule(config: dict) -> dict:
    """The beat table with the configured interval overrides and an ``expires`` on every entry."""
    table = {}
    for name, entry in BEAT_SCHEDULE.items():
        every = config["BEAT_INTERVALS"].get(name, entry["schedule"])
        seconds = every.total_seconds() if isinstance(every, timedelta) else float(every)
        options = {**entry.get("options", {}), "expires": max(1.0, seconds * config["BEAT_EXPIRES_FRACTION"])}
        table[name] = {**entry, "schedule": timedelta(seconds=seconds), "options": options}
    return table


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        # On SQLite a task's transactions are write transactions (``database.writes_held``), so a read-then-write
        # cannot fail half way. A task that only reads, or writes each step through ``begin_write()`` itself (the
        # long exports and counts), says ``holds_writes=False`` and leaves the web's writers free meanwhile.
        holds_writes = True

        def __call__(self, *args, **kwargs):
            with app.app_context(), (writes_held() if self.holds_writes else nullcontext()):
                return self.run(*args, **kwargs)

    def route(name, args, kwargs, options, task=None, **kw):
        return {"queue": queue_for(app.config["CELERY_QUEUE"], name)}

    urls = urls_for(app.config["REDIS_URL"])
    prefix = app.config["CELERY_QUEUE"]
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=urls.broker,
        task_ignore_result=True,
        result_backend=None,
        task_default_queue=queue_name(prefix, "default"),
        task_queues=[Queue(name) for name in all_queues(prefix)],  # a worker without -Q consumes all four
        task_routes=(route,),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Limits per task only (no pool-wide default: the pool's soft limit would stand in for a task's "none" and
        # postpone its hard limit).
        task_annotations=(TimeLimits(app.config["TASK_TIME_LIMITS"]),),
        worker_max_tasks_per_child=app.config["WORKER_MAX_TASKS_PER_CHILD"],
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        timezone=app.config["TIMEZONE"],
        enable_utc=True,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=app.config["BROKER_PUBLISH_TIMEOUT"],
        broker_transport_options={
            "visibility_timeout": 3600,
            "socket_timeout": app.config["BROKER_PUBLISH_TIMEOUT"],
            "socket_connect_timeout": app.config["BROKER_PUBLISH_TIMEOUT"],
            "max_retries": 0,
        },
        task_publish_retry=False,
        imports=TASK_MODULES,
        beat_schedule=beat_schedule(app.config),
        beat_scheduler="redbeat.RedBeatScheduler",
        beat_max_loop_interval=app.config["BEAT_MAX_LOOP_INTERVAL"],
        redbeat_redis_url=urls.client,
        redbeat_redis_options={"retry_period": 60},
        redbeat_key_prefix=f"{prefix}.redbeat:",
        redbeat_lock_timeout=app.config["BEAT_LOCK_TIMEOUT"],
        beat_schedule_filename=f"{app.config['INSTANCE_DIR']}/celerybeat-schedule",
        worker_hijack_root_logger=False,
    )
    heartbeats.install(celery_app, app)
    celery_app.set_default()
    logs.connect_celery(app.config)  # worker and beat log as the web does
    request_ids.connect_celery()
    app.extensions["celery"] = celery_app
    app.extensions["task_producer"] = KeptProducer(celery_app, urls.client, app.config["BROKER_PUBLISH_TIMEOUT"])
    return celery_app
