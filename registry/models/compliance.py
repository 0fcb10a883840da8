"""Credit listings (信用记录) and incidents (质量安全事故/抽查不合格): what eligibility checks read."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import EnterpriseRecordMixin, TimestampMixin


class CreditRecord(EnterpriseRecordMixin, TimestampMixin, db.Model):
    __tablename__ = "credit_records"
    # "on a credit list on day D" (the list's credit filter, eligibility): answered from the index on PostgreSQL
    __table_args__ = (Index("ix_credit_records_enterprise_listed", "enterprise_id", "listed_on",
                            postgresql_include=["removed_on"]),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    list_type: Mapped[str] = mapped_column(String(32))  # registry.vocab.CREDIT_LIST_TYPES
    listed_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    authority: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)

    def active_on(self, day: date) -> bool:
        return self.listed_on <= day and (self.removed_on is None or self.removed_on > day)


class IncidentRecord(EnterpriseRecordMixin, TimestampMixin, db.Model):
    __tablename__ = "incident_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))  # registry.vocab.INCIDENT_KINDS
    description: Mapped[str | None] = mapped_column(Text)
