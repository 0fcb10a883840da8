"""An application (申报) moving through a workflow, its stage runs (each with its deadline) and expert assignments."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models import Enterprise
from registry.models.base import TimestampMixin, utcnow


class Application(TimestampMixin, db.Model):
    """One enterprise's application under one workflow definition version.

    ``stage``, ``status`` and ``version`` are written only by ``workflows.engine`` (compare-and-set).
    ``due_at`` mirrors the open stage run's deadline so inboxes sort without a join.
    """

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("created_by_id", "idempotency_key"),
        Index("ix_applications_workflow_stage_status", "workflow", "stage", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    workflow: Mapped[str] = mapped_column(String(32), index=True)
    definition_version: Mapped[int] = mapped_column(Integer)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))  # e.g. the product, for lists
    stage: Mapped[str] = mapped_column(String(48))
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str | None] = mapped_column(String(64))
    certification_id: Mapped[int | None] = mapped_column(ForeignKey("certifications.id", ondelete="SET NULL"))
    standard_id: Mapped[int | None] = mapped_column(ForeignKey("standards.id", ondelete="SET NULL"), index=True)
    # the certification body (认证机构) the applicant applied to; its certifier accounts act on the application
    certification_body_id: Mapped[int | None] = mapped_column(ForeignKey("certification_bodies.id"), index=True)
    # The head of the application's own history chain (workflows.chain): its last row's position and hash. The row is
    # already locked by the engine's compare-and-set, so appending to the history locks nothing shared.
    chain_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chain_hash: Mapped[str | None] = mapped_column(String(64))

    enterprise: Mapped[Enterprise] = relationship(lazy="joined")


class StageRun(db.Model):
    """One visit of an application to a stage, with its deadline (the row the beat sweep looks at).

    Return for material (补正) sets ``paused_at``; resubmission moves ``due_at`` on by the paused time.
    """

    __tablename__ = "stage_runs"
    __table_args__ = (Index("ix_stage_runs_open_due", "ended_at", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(48))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Assignment(db.Model):
    """A user (usually an expert) assigned to act on an application, optionally for one stage."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("application_id", "user_id", "stage"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str | None] = mapped_column(String(48))  # None: every stage
    role: Mapped[str] = mapped_column(String(16), default="member")  # member, leader, substitute
    position: Mapped[int] = mapped_column(Integer, default=0)  # order of substitutes
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    declared_no_conflict_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
