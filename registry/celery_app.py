"""Celery bound to the Flask app: every task runs inside an app context (Flask's "Background Tasks" pattern)."""
from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from registry import logs, request_ids
from registry.ops import heartbeats
from registry.redis_urls import urls_for
from registry.schedule import BEAT_SCHEDULE, TASK_MODULES


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = urls_for(app.config["REDIS_URL"]).broker
    queue = app.config["CELERY_QUEUE"]
    celery_app = Celery(app.name, task_cls=FlaskTask)
    celery_app.conf.update(
        broker_url=broker,
        task_ignore_result=True,
        result_backend=None,
        task_default_queue=queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
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
        beat_schedule={name: {**entry, "options": {"queue": queue}} for name, entry in BEAT_SCHEDULE.items()},
        beat_schedule_filename=f"{app.config['INSTANCE_DIR']}/celerybeat-schedule",
        worker_hijack_root_logger=False,
    )
    heartbeats.install(celery_app, app)
    celery_app.set_default()
    logs.connect_celery(app.config)  # worker and beat log as the web does
    request_ids.connect_celery()
    app.extensions["celery"] = celery_app
    return celery_app
