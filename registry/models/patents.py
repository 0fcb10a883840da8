"""Patents (专利), stored by normalised application number."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import EnterpriseRecordMixin, TimestampMixin


class Patent(EnterpriseRecordMixin, TimestampMixin, db.Model):
    __tablename__ = "patents"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # application number, e.g. '201710601862.3'
    patent_type: Mapped[str] = mapped_column(String(24), index=True)  # derived from the number
    title: Mapped[str] = mapped_column(String(300))
    filed_on: Mapped[date | None] = mapped_column(Date)
    granted_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # registry.vocab.PATENT_STATUSES
