"""One id per request, on every log line it causes: in the web process, and in the Celery tasks it sets off.

The id comes from the proxy's ``X-Request-ID`` (nginx makes one, deploy/nginx/registry.conf) when it is well-formed,
else it is made here; the response carries it back in ``X-Request-ID`` and the 500 page shows it, so a user can
quote it. Tasks published while an id is current carry it in a message header; the worker binds it for the
task's run, and a task that publishes further tasks passes it on. An outbox row keeps the id of the request that
wrote it in its payload (``request_id``), so a row the relay re-sends later still logs under the same id.
"""
from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g, request

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
_SHAPE = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current() -> str | None:
    """The id of the request (or the task) this code runs for, or None."""
    return _current.get()


def clean(raw: str | None) -> str | None:
    """``raw`` if it is a plausible id (no spaces, control characters or log-line tricks), else None."""
    raw = (raw or "").strip()
    return raw if _SHAPE.match(raw) else None


@contextmanager
def bound(request_id: str | None) -> Iterator[None]:
    """Within the block, ``request_id`` is current, unless one already is (a task's header wins over a row's)."""
    request_id = clean(request_id)
    token = _current.set(request_id) if request_id and _current.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _current.reset(token)


def register(app: Flask) -> None:
    """Bind an id to each request (before any other hook), answer it in ``X-Request-ID``, release it at the end."""

    def _start() -> None:
        g.request_id = clean(request.headers.get(HEADER)) or uuid.uuid4().hex
        g.request_id_token = _current.set(g.request_id)

    def _answer(response):
        if g.get("request_id"):
            response.headers[HEADER] = g.request_id
        return response

    def _end(_exc) -> None:
        token = g.pop("request_id_token", None)
        if token is not None:
            _current.reset(token)

    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_answer)
    app.teardown_request(_end)


def connect_celery() -> None:
    """Carry the current id in each published task's headers, and bind it in the worker while the task runs."""
    from celery import signals

    def _publish(headers=None, **_kwargs):
        rid = current()
        if rid and headers is not None and TASK_HEADER not in headers:
            headers[TASK_HEADER] = rid

    def _prerun(task=None, **_kwargs):
        rid = clean(getattr(task.request, TASK_HEADER, None)) if task is not None else None
        task.request.request_id_token = _current.set(rid) if task is not None else None

    def _postrun(task=None, **_kwargs):
        token = getattr(task.request, "request_id_token", None) if task is not None else None
        if token is not None:
            _current.reset(token)

    signals.before_task_publish.connect(_publish, weak=False, dispatch_uid="registry.request_ids.publish")
    signals.task_prerun.connect(_prerun, weak=False, dispatch_uid="registry.request_ids.prerun")
    signals.task_postrun.connect(_postrun, weak=False, dispatch_uid="registry.request_ids.postrun")
