"""Helpers for tests of background work on a real worker: wait for its effects, send it a task, subscribe a user."""
from __future__ import annotations

import time

from registry.extensions import db


def wait_for(condition, timeout: float = 30.0, what: str = "condition", workers=()) -> None:
    """Poll ``condition`` (each time in a fresh read transaction, to see the worker's commits) until true; on
    timeout fail with the tail of the given workers' logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.rollback()
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n" + "".join(w.log()[-3000:] for w in workers))


def send(app, task: str, queue: str, **kwargs) -> str:
    """Send a task by its stable name with keyword arguments (e.g. an injected ``now``) to its queue under the
    prefix ``queue`` (``registry.queues``); returns its task id."""
    from registry.queues import queue_for

    return app.extensions["celery"].send_task(task, kwargs=kwargs, queue=queue_for(queue, task)).id


def finished(worker, task_id: str) -> int:
    """How many times the worker has logged the task ``task_id`` as finished (succeeded); fails at once if it raised."""
    log = worker.log()
    assert f"[{task_id}] raised" not in log, log[-3000:]
    return log.count(f"[{task_id}] succeeded")


def subscribe(user, url: str, email: bool = True) -> None:
    """Give ``user`` the webhook channel at ``url`` (and e-mail unless ``email`` is False); commits."""
    from workflows.models import NotificationPreference

    db.session.add(NotificationPreference(user_id=user.id, email_enabled=email, webhook_enabled=True,
                                          webhook_url=url))
    db.session.commit()
