"""Trademarks (商标), with the Madrid (马德里) and geographical-indication (地理标志) flags the plan counts."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import EnterpriseRecordMixin, TimestampMixin


class Trademark(EnterpriseRecordMixin, TimestampMixin, db.Model):
    __tablename__ = "trademarks"
    __table_args__ = (UniqueConstraint("reg_number", "nice_class"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    reg_number: Mapped[str] = mapped_column(String(20))
    nice_class: Mapped[int] = mapped_column(Integer)  # 1-45
    mark: Mapped[str] = mapped_column(String(200))
    registered_on: Mapped[date | None] = mapped_column(Date, index=True)
    expires_on: Mapped[date | None] = mapped_column(Date)  # 10 years, renewable
    madrid: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    madrid_registered_on: Mapped[date | None] = mapped_column(Date)
    # The international registration number (国际注册号): one Madrid registration covers several classes, and so
    # several rows here; it is counted once (registry.targets.rules).
    madrid_number: Mapped[str | None] = mapped_column(String(20), index=True)
    geographical_indication: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    gi_status: Mapped[str | None] = mapped_column(String(16))  # registry.vocab.GI_STATUSES
    gi_applied_on: Mapped[date | None] = mapped_column(Date)
    gi_route: Mapped[str | None] = mapped_column(String(24))  # registry.vocab.GI_ROUTES
    # 培育: the year a GI's cultivation started is the year it counts in, if before its application
    gi_cultivation_started_on: Mapped[date | None] = mapped_column(Date)
