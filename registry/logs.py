"""One logging configuration (``logging.config.dictConfig``) for the web process, the worker and beat.

Every line carries its time in the registry's time zone (Asia/Shanghai) with the offset, the level, the logger and
the request id (``registry.request_ids``; ``-`` outside a request or a task it caused), one line of text or, with
``LOG_FORMAT=json``, one JSON object per line. Everything goes to stderr: systemd's journal keeps it.

Who applies it: gunicorn through ``logconfig_dict`` (deploy/gunicorn.conf.py) and again in each web worker
(registry/wsgi.py), Celery's worker and beat through its ``setup_logging`` signal (``connect_celery``). The access
log is the app's own (logger ``registry.access``, one line per request, with the client's address as ProxyFix
sees it), so it carries the request id that gunicorn's would not know.
"""
from __future__ import annotations

import json
import logging
import logging.config
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g, request

from registry import request_ids

ACCESS_LOGGER = "registry.access"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# Attributes every LogRecord has; anything else on a record was passed in ``extra`` and goes into the JSON object.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request id (handler-level, so library records get it too)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_ids.current() or "-"
        return True


class _LocalTime:
    def __init__(self, tz: str):
        self.zone = ZoneInfo(tz)

    def stamp(self, record: logging.LogRecord) -> str:
        return datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    def __init__(self, tz: str = "Asia/Shanghai"):
        super().__init__(TEXT_FORMAT)
        self.clock = _LocalTime(tz)

    def formatTime(self, record, datefmt=None):  # noqa: N802  (logging's name)
        return self.clock.stamp(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, request_id, message, the record's extras, exc (a traceback)."""

    def __init__(self, tz: str = "Asia/Shanghai"):
        super().__init__()
        self.clock = _LocalTime(tz)

    def format(self, record: logging.LogRecord) -> str:
        body = {"ts": self.clock.stamp(record), "level": record.levelname, "logger": record.name,
                "request_id": getattr(record, "request_id", "-"), "message": record.getMessage()}
        body.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            body["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            body["exc"] = record.exc_text
        return json.dumps(body, ensure_ascii=False, default=str)


def dict_config(settings: dict) -> dict:
    """The dictConfig for these settings (LOG_FORMAT, LOG_LEVEL, TIMEZONE)."""
    formatter = "json" if settings.get("LOG_FORMAT") == "json" else "text"
    tz = settings.get("TIMEZONE") or "Asia/Shanghai"
    level = settings.get("LOG_LEVEL") or "INFO"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"text": {"()": TextFormatter, "tz": tz}, "json": {"()": JsonFormatter, "tz": tz}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                "formatter": formatter, "filters": ["request_id"]},
                     "null": {"class": "logging.NullHandler"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # gunicorn's and Celery's loggers keep no handlers of their own: one format for every line.
            **{name: {"handlers": [], "propagate": True, "level": level}
               for name in ("gunicorn.error", "celery", ACCESS_LOGGER)},
            # registry.access is the access log (it knows the request id and the real client); gunicorn's is dropped.
            "gunicorn.access": {"handlers": ["null"], "propagate": False},
            "alembic.runtime.plugins": {"level": "WARNING"},  # a dozen lines per process start otherwise
        },
    }


def configure(settings: dict) -> None:
    """Apply the one logging configuration to this process."""
    logging.config.dictConfig(dict_config(settings))


def connect_celery(settings: dict) -> None:
    """Have Celery's worker and beat (and each pool child) apply ``configure`` instead of their own logging."""
    from celery import signals

    def _setup(loglevel=None, **_kwargs):
        configure(settings)

    signals.setup_logging.connect(_setup, weak=False, dispatch_uid="registry.logs.setup")


def register(app: Flask) -> None:
    """The access log: one line per request with method, path, status, duration and the client's address."""
    access = logging.getLogger(ACCESS_LOGGER)

    @app.before_request
    def _clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _access(response):
        started = g.get("request_started")
        millis = round((time.perf_counter() - started) * 1000, 1) if started else None
        access.info("%s %s %s %sms %s", request.method, request.full_path.rstrip("?"), response.status_code, millis,
                    request.remote_addr, extra={"method": request.method, "path": request.path,
                                                "status": response.status_code, "duration_ms": millis,
                                                "remote_addr": request.remote_addr})
        return response
