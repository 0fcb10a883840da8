"""Transition history (流转记录): append-only rows chained by HMAC(previous hash + row)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import utcnow


class Transition(db.Model):
    """Who did what to an application, when, from which stage/status to which, and why."""

    __tablename__ = "transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Position and hashes in the chain, set by ``chain.seal`` as the last step of the transaction (so the chain lock
    # is held only briefly); every committed row has them.
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    stage_run_id: Mapped[int | None] = mapped_column(ForeignKey("stage_runs.id", ondelete="SET NULL"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(48))
    from_stage: Mapped[str | None] = mapped_column(String(48))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_stage: Mapped[str] = mapped_column(String(48))
    to_status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    # Which AUDIT_HMAC_KEYS entry sealed the row (rows from before key ids: "1", the AUDIT_HMAC_KEY of the time).
    key_id: Mapped[str | None] = mapped_column(String(16), server_default="1")


class ChainHead(db.Model):
    """One row per chain (id 1: the workflow history, 2: the security audit trail) holding its last position;
    locked to append serially."""

    __tablename__ = "transition_chain_heads"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64), default="0" * 64)


class ChainAnchor(db.Model):
    """Where a chain restarts after a retention job removed its oldest rows: the last removed row's seq and hash,
    sealed with the chain key (``mac``) so that a forged anchor shows."""

    __tablename__ = "chain_anchors"
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(String(32), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    removed: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    mac: Mapped[str | None] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))
