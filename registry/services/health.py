"""Worker liveness: the canary task's heartbeat and its age."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from registry.database import begin_write
from registry.extensions import db
from registry.models.base import utcnow
from registry.models.heartbeat import Heartbeat


def record_heartbeat(*names: str) -> datetime:
    """Stamp the heartbeat rows (insert or update; ``worker`` when none is named) and commit; return the time
    written."""
    begin_write()
    now = utcnow()
    for name in dict.fromkeys(names or ("worker",)):
        row = db.session.get(Heartbeat, name[:64])
        if row is None:
            db.session.add(Heartbeat(name=name[:64], beat_at=now))
        else:
            row.beat_at = now
    db.session.commit()
    return now


def heartbeat_age_seconds(name: str = "worker") -> float | None:
    row = db.session.get(Heartbeat, name)
    if row is None:
        return None
    beat = row.beat_at if row.beat_at.tzinfo else row.beat_at.replace(tzinfo=utcnow().tzinfo)
    return (utcnow() - beat).total_seconds()


def heartbeat_ages(now: datetime | None = None) -> dict[str, float]:
    """Every heartbeat row's age in seconds, by name (``worker``, ``worker:<node>``, ``beat``)."""
    now = now or utcnow()
    ages = {}
    for row in db.session.scalars(select(Heartbeat)):
        beat = row.beat_at if row.beat_at.tzinfo else row.beat_at.replace(tzinfo=now.tzinfo)
        ages[row.name] = (now - beat).total_seconds()
    return ages
