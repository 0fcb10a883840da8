"""What Celery imports and what beat runs: one table, extended by each area (stable task names)."""
from __future__ import annotations

from datetime import timedelta

# Modules whose @shared_task functions the worker must register.
TASK_MODULES: list[str] = [
    "registry.targets.tasks",
    "registry.excel.tasks",
    "registry.tasks",
    "registry.awards.tasks",
    "workflows.tasks",
    "registry.retention.tasks",
]

# Beat entries: name -> {"task": stable task name, "schedule": seconds or timedelta/crontab, "kwargs": {...}}
BEAT_SCHEDULE: dict[str, dict] = {
    "excel-expire-stale-imports": {"task": "excel.expire_stale_imports", "schedule": timedelta(hours=1)},
    "heartbeat": {"task": "registry.heartbeat", "schedule": timedelta(seconds=30)},
    "awards-close-notices": {"task": "awards.close_notices", "schedule": timedelta(minutes=5)},
    "awards-flag-credit-listings": {"task": "awards.flag_credit_listings", "schedule": timedelta(hours=1)},
    "workflows-relay-outbox": {"task": "workflows.relay_outbox", "schedule": timedelta(seconds=10)},
    "workflows-sweep-deadlines": {"task": "workflows.sweep_deadlines", "schedule": timedelta(minutes=1)},
    "workflows-seal-history": {"task": "workflows.seal_history", "schedule": timedelta(hours=1)},
    "workflows-sweep-certificates": {"task": "workflows.sweep_certificates", "schedule": timedelta(days=1)},
    "registry-retention": {"task": "registry.retention", "schedule": timedelta(days=1)},  # idempotent: removes once
    "targets-warm-figures": {"task": "targets.warm_figures", "schedule": timedelta(minutes=1)},  # cache hits when nothing moved
    "targets-snapshot-month": {"task": "targets.snapshot_month", "schedule": timedelta(hours=6)},  # idempotent: stores last month-end once
}
