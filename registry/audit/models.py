"""Security events (安全审计记录): append-only rows chained by HMAC(previous hash + row)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import utcnow


class SecurityEvent(db.Model):
    """One security-relevant act: ``event`` (a code of ``registry.audit.events.EVENTS``) by an actor on a target.

    The actor is kept by id *and* e-mail, without a foreign key: the row must read (and hash) the same after the
    account changes or goes. ``seq``/``prev_hash``/``hash`` are set by ``workflows.chain.seal``.
    """

    __tablename__ = "security_events"
    __table_args__ = (Index("ix_security_events_event_at", "event", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    event: Mapped[str] = mapped_column(String(48))
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str | None] = mapped_column(String(120), index=True)  # e-mail at the time (or what was typed)
    target: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(64), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))  # which AUDIT_HMAC_KEYS entry sealed the row
