"""Shared column helpers for models."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship


def utcnow() -> datetime:
    """Current time, timezone-aware UTC. Passed as a callable default, evaluated per row."""
    return datetime.now(timezone.utc)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class EnterpriseRecordMixin:
    """A record that belongs to one enterprise; its changes go to that enterprise's history."""

    __audited__ = True

    @declared_attr
    def enterprise(cls) -> Mapped["Enterprise"]:  # noqa: F821  (resolved by name at mapper configuration)
        return relationship("Enterprise")

    @property
    def audit_enterprise_id(self) -> int | None:
        return getattr(self, "enterprise_id", None)
