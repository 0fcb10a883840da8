"""Honours (荣誉): awards and designations, with later revocation."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import EnterpriseRecordMixin, TimestampMixin


class Honour(EnterpriseRecordMixin, TimestampMixin, db.Model):
    __tablename__ = "honours"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    honour_type: Mapped[str] = mapped_column(String(48), index=True)  # registry.vocab.HONOUR_TYPES
    level: Mapped[str] = mapped_column(String(16), index=True)  # registry.vocab.HONOUR_LEVELS
    year: Mapped[int] = mapped_column(Integer, index=True)
    awarded_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str | None] = mapped_column(String(300))  # e.g. the project name for 钱江杯
    issuer: Mapped[str | None] = mapped_column(String(200))
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    # A designation reviewed every few years (制造业单项冠军: 复核 every three years) counts until this day.
    valid_until: Mapped[date | None] = mapped_column(Date)
    # Engineering-quality honours go to a project shared by several units (registry.models.projects).
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    project_role: Mapped[str | None] = mapped_column(String(16))  # registry.vocab.PROJECT_ROLES
    project: Mapped["Project | None"] = relationship("Project")  # noqa: F821  (resolved by name)
    # Set when the honour came from an award round of this system (workflow B).
    source_application_id: Mapped[int | None] = mapped_column(Integer)

    def counts_on(self, day: date) -> bool:
        return (self.revoked_on is None or self.revoked_on > day) and (self.valid_until is None or self.valid_until >= day)
