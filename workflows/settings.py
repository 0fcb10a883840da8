"""Workflow settings read from the registry's Setting table, with defaults (administrators change the rows)."""
from __future__ import annotations

from typing import Any

from registry.extensions import db
from registry.models import Setting

DEFAULTS: dict[str, Any] = {
    "workflows.reminder_days": 2,  # working days before a deadline
    "workflows.outbox_max_attempts": 8,
    "workflows.correction_days": 15,  # working days the applicant is given to answer a return (补正期限)
    "pinzibiao.validity_years": 3,
    "pinzibiao.surveillance_notice_days": 30,  # calendar days before each yearly surveillance
    "pinzibiao.expiry_notice_days": 90,  # calendar days before the certificate expires
}


def get(key: str, default: Any = None) -> Any:
    row = db.session.get(Setting, key)
    if row is not None and row.value is not None:
        return row.value
    return DEFAULTS.get(key, default)


def put(key: str, value: Any) -> None:
    """Set a setting (caller commits)."""
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
