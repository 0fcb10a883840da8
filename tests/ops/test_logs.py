"""Logs: one configuration for web and worker, a request id on every line of a request and of the tasks it causes.

A real gunicorn (deploy/gunicorn.conf.py) and a real Celery worker on a queue of their own, both with
LOG_FORMAT=json; an applicant submits through the API with an X-Request-ID, which e-mails the town officer through
the outbox. The web's lines of that request and the worker's lines of the delivery carry the same id.
"""
from __future__ import annotations

import io
import json
import logging
import re
import uuid
from datetime import datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from registry import logs
from registry.queues import queue_for
from registry.extensions import db
from tests import background
from tests.ops.stack import Gunicorn, free_port
from tests.worker import WorkerProcess
from tests.workflows.conftest import cast, draft  # noqa: F401  (fixtures)
from workflows.models import NotificationPreference, Outbox


def _json_lines(text: str) -> list[dict]:
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


@pytest.fixture
def json_worker(app, service_urls, tmp_path):
    """A worker with JSON logs on its own queue, whose SMTP port nothing listens on (each e-mail fails fast)."""
    urls = {**service_urls, "queue": f"{service_urls['queue']}-logs", "tmp": service_urls["tmp"]}
    worker = WorkerProcess(urls, extra_env={"LOG_FORMAT": "json", "SMTP_PORT": str(free_port())}, concurrency=1)
    worker.log_path = tmp_path / "worker.log"
    worker.start()
    yield worker
    worker.stop()


def test_a_request_and_the_task_it_causes_log_under_one_id(app, service_urls, tmp_path, cast, draft, api,  # noqa: F811
                                                           json_worker):
    queue = json_worker.service_urls["queue"]
    db.session.add(NotificationPreference(user_id=cast.town.id, email_enabled=True))
    application = draft()
    db.session.commit()
    rid = f"test-{uuid.uuid4().hex}"
    with Gunicorn(service_urls, tmp_path, {"LOG_FORMAT": "json", "CELERY_QUEUE": queue}) as web:
        answer = requests.post(f"{web.url}/api/v1/applications/{application.id}/actions",
                               json={"action": "submit", "version": application.version},
                               headers={**api(cast.applicant), "X-Request-ID": rid}, timeout=30)
        assert answer.status_code == 200, answer.text
        assert answer.headers["X-Request-ID"] == rid

        def worker_lines(attempt: int) -> list[dict]:
            return [line for line in _json_lines(json_worker.log())
                    if line["request_id"] == rid and f"attempt {attempt} failed" in line["message"]]

        background.wait_for(lambda: worker_lines(1), what="the worker's line for the e-mail", workers=[json_worker])
        web_lines = [line for line in _json_lines(web.log()) if line.get("request_id") == rid]

    access = [line for line in web_lines if line["logger"] == "registry.access"]
    assert len(access) == 1
    assert access[0]["path"] == f"/api/v1/applications/{application.id}/actions" and access[0]["status"] == 200
    assert access[0]["remote_addr"] == "127.0.0.1" and access[0]["duration_ms"] > 0
    # Asia/Shanghai, with its offset, on every line of both processes.
    for line in web_lines + worker_lines(1):
        assert line["ts"].endswith("+08:00") and datetime.fromisoformat(line["ts"])
        assert line["level"] in ("INFO", "WARNING") and line["logger"]
    assert worker_lines(1)[0]["logger"] == "workflows.services.outbox"
    # Celery's own line for the task (outside our code) carries it too: it came in the task's message headers.
    assert [line for line in _json_lines(json_worker.log()) if line["request_id"] == rid
            and line["logger"] == "celery.app.trace" and "workflows.send_notification[" in line["message"]
            and "succeeded" in line["message"]]

    # The row keeps the id: a later re-send (the relay's, with no request id current) logs under it again.
    db.session.rollback()
    row = db.session.scalar(select(Outbox).where(Outbox.effect_key.like("%:email")))
    assert row.payload["request_id"] == rid and row.status == "pending"
    app.extensions["celery"].send_task("workflows.send_notification", args=[row.id], queue=queue_for(queue, "workflows.send_notification"))
    background.wait_for(lambda: worker_lines(2), what="the re-sent e-mail's line", workers=[json_worker])


def test_without_an_id_one_is_made_and_a_bad_one_is_replaced(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    for forged in ("x] INFO registry.access [y", "x" * 129, "id\tid"):
        assert re.fullmatch(r"[0-9a-f]{32}", client.get("/healthz", headers={"X-Request-ID": forged})
                            .headers["X-Request-ID"])


@pytest.fixture
def captured(app):
    """The root logger's output through the registry's text formatter and request-id filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.TextFormatter(app.config["TIMEZONE"]))
    handler.addFilter(logs.RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_an_error_page_shows_the_id_it_was_logged_under(service_urls, captured):
    from registry import create_app

    broken = create_app({"SQLALCHEMY_DATABASE_URI": service_urls["database"], "REDIS_URL": service_urls["redis"],
                         "INSTANCE_DIR": service_urls["tmp"], "CELERY_QUEUE": service_urls["queue"]})

    @broken.get("/boom")
    def boom():
        raise RuntimeError("kaput")

    page = broken.test_client().get("/boom", headers={"X-Request-ID": "quote-me-42"})
    assert page.status_code == 500 and page.headers["X-Request-ID"] == "quote-me-42"
    assert "quote-me-42" in page.get_data(as_text=True)
    as_json = broken.test_client().get("/boom", headers={"Accept": "application/json"})
    assert as_json.get_json()["request_id"] == as_json.headers["X-Request-ID"]
    text = captured.getvalue()
    error = next(line for line in text.splitlines() if "Unhandled error on GET /boom" in line)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00 ERROR registry\.errors \[quote-me-42\] ", error)
    assert "RuntimeError: kaput" in text
    assert re.search(r"INFO registry\.access \[quote-me-42\] GET /boom 500 ", text)


def test_log_settings_are_checked(monkeypatch):
    from config import ConfigError, load_config

    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_config()
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    settings = load_config()
    assert (settings["LOG_FORMAT"], settings["LOG_LEVEL"]) == ("json", "WARNING")
    assert logs.dict_config(settings)["handlers"]["stderr"]["formatter"] == "json"


def test_gunicorn_config_uses_the_registry_logging():
    source = (Path(__file__).resolve().parent.parent.parent / "deploy" / "gunicorn.conf.py").read_text()
    assert "logconfig_dict = dict_config(_settings)" in source
