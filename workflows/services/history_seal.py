"""Seal the heads of every application's history lane (the beat job behind ``workflows.seal_history``)."""
from __future__ import annotations

from datetime import datetime

from registry.database import begin_write
from registry.extensions import db
from workflows import chain


def seal(now: datetime) -> int:
    """Record a seal over every application's current history head and commit; returns how many heads it covers.
    Idempotent: a second seal covers the same heads again (and the newest seal replaces the older)."""
    begin_write()
    try:
        sealed = chain.seal_heads(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return sealed.heads
