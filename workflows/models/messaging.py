"""The outbox (jobs written with the change they follow), in-app notifications and each user's channels."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import TimestampMixin, utcnow


class Outbox(db.Model):
    """A job to run after commit. ``effect_key`` is unique per effect (e.g. ``notify:t42:u7:email``), so a job that
    runs twice cannot deliver twice. The relay re-publishes pending rows whose ``next_attempt_at`` has passed."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    effect_key: Mapped[str] = mapped_column(String(200), unique=True)
    task: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sending, done, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)


class Notification(db.Model):
    """An in-app message (always written; other channels are outbox rows)."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    effect_key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    transition_id: Mapped[int | None] = mapped_column(ForeignKey("transitions.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(24))  # workflows.notify.KINDS
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))  # the path of the page the message is about
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NotificationPreference(TimestampMixin, db.Model):
    """A user's own channels beyond in-app: e-mail, SMS (短信) to a mainland mobile number, and a DingTalk-style
    webhook (JSON POST). ``mobile`` is stored normalised: 11 ASCII digits."""

    __tablename__ = "notification_preferences"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(120))  # None: the account's e-mail
    webhook_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    webhook_url: Mapped[str | None] = mapped_column(String(500))
    sms_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    mobile: Mapped[str | None] = mapped_column(String(11))
    attempts_limit: Mapped[int] = mapped_column(Integer, default=8)
