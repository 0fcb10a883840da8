"""Attachments (versioned per slot) and bureau-entered calendar overrides (holidays and make-up working days)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import utcnow


class Attachment(db.Model):
    """A file uploaded onto an application; stored under a generated name in UPLOAD_DIR, never the user's name."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("application_id", "slot", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    slot: Mapped[str] = mapped_column(String(32))  # self_assessment, evidence, stamped_form, ...
    version: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(48))
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class HolidayOverride(db.Model):
    """A day the bureau declared a holiday (``is_workday`` False) or a make-up working day (True), for years the
    chinese-calendar package does not know yet; it also wins over the package."""

    __tablename__ = "holiday_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(100))
