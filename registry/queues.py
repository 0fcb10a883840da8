"""Which queue each task goes to: four queues per installation, each named ``<CELERY_QUEUE>.<kind>``.

- ``default``: sweeps, the outbox relay, small jobs;
- ``notifications``: one delivery per job (e-mail, webhook, SMS), so a slow gateway never holds up a sweep;
- ``bulk``: imports, exports and snapshots, which may run for minutes;
- ``canary``: the heartbeat, so a backlog elsewhere does not read as a dead worker.

The ``CELERY_QUEUE`` prefix keeps two installations (or two parallel test sessions) on one Redis apart. The
router reads the prefix when a task is sent, so a test that changes it sends to its own queues.
"""
from __future__ import annotations

KINDS = ("default", "notifications", "bulk", "canary")

# Stable task name -> queue kind; a task not listed goes to ``default``.
TASK_KINDS: dict[str, str] = {
    "workflows.send_notification": "notifications",
    "excel.preview_import": "bulk",
    "excel.run_import": "bulk",
    "targets.export": "bulk",
    "targets.snapshot_month": "bulk",
    "targets.review": "bulk",
    "targets.warm_figures": "bulk",
    "registry.retention": "bulk",
    "workflows.seal_history": "bulk",
    "registry.heartbeat": "canary",
}


def kind_of(task_name: str) -> str:
    return TASK_KINDS.get(task_name, "default")


def queue_name(prefix: str, kind: str) -> str:
    return f"{prefix}.{kind}"


def queue_for(prefix: str, task_name: str) -> str:
    """The queue a task of this name is sent to under this prefix."""
    return queue_name(prefix, kind_of(task_name))


def all_queues(prefix: str) -> list[str]:
    """Every queue of an installation, for a worker that consumes them all (``-Q``, comma-separated)."""
    return [queue_name(prefix, kind) for kind in KINDS]
