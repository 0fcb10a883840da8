"""Transition history (流转记录): append-only rows chained by HMAC(previous hash + row), one chain (lane) per
application; periodic seals over every lane's head (``workflows.chain``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import utcnow


class Transition(db.Model):
    """Who did what to an application, when, from which stage/status to which, and why."""

    __tablename__ = "transitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Position in the application's own chain (its lane), set by ``chain.append`` with the hashes below. Rows written
    # before lanes (migration 0021) have ``seq`` instead: their place in the one global chain they were sealed into.
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    lane_seq: Mapped[int | None] = mapped_column(Integer)
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

    __table_args__ = (UniqueConstraint("application_id", "lane_seq", name="uq_transitions_lane"),)

    @classmethod
    def in_order(cls, newest_first: bool = False) -> tuple:
        """ORDER BY terms for one application's history: rows of the old global chain first, then its lane."""
        terms = (cls.seq.is_(None), cls.seq, cls.lane_seq)
        return tuple(term.desc() for term in terms) if newest_first else terms

    @property
    def position(self) -> int | None:
        """The row's place in its application's history (legacy rows: their place in the old global chain)."""
        return self.lane_seq if self.lane_seq is not None else self.seq


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


class ChainSeal(db.Model):
    """A seal over the heads of every application's lane at one moment: an HMAC over the sorted (application,
    position, hash) list kept in ``chain_seal_heads``, so that removing an application's newest rows (or the whole
    application) after a seal shows, although no row links lanes to each other."""

    __tablename__ = "chain_seals"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    heads: Mapped[int] = mapped_column(Integer, default=0)
    mac: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(16))


class ChainSealHead(db.Model):
    """The newest seal's heads (replaced at each seal)."""

    __tablename__ = "chain_seal_heads"
    application_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
