"""Standards drafted (标准) and which Linhai enterprises drafted them (one standard, many drafters)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import EnterpriseRecordMixin, TimestampMixin


class Standard(TimestampMixin, db.Model):
    """A standard, counted once however many Linhai enterprises drafted it."""

    __tablename__ = "standards"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)  # normalised, e.g. 'T/ZZB 2109-2021'
    level: Mapped[str] = mapped_column(String(16), index=True)  # implied by the number's prefix
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), index=True)  # registry.vocab.STANDARD_STATUSES
    published_on: Mapped[date | None] = mapped_column(Date, index=True)
    effective_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)

    drafters: Mapped[list["StandardDrafter"]] = relationship(
        back_populates="standard", cascade="all, delete-orphan"
    )

    @property
    def audit_enterprise_ids(self) -> list[int]:
        return [d.enterprise_id for d in self.drafters]


class StandardDrafter(EnterpriseRecordMixin, TimestampMixin, db.Model):
    """An enterprise's part in drafting a standard: lead (主导) or participant (参与)."""

    __tablename__ = "standard_drafters"
    __table_args__ = (UniqueConstraint("standard_id", "enterprise_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(ForeignKey("standards.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # registry.vocab.ENTERPRISE_ROLES

    standard: Mapped[Standard] = relationship(back_populates="drafters", lazy="joined")
