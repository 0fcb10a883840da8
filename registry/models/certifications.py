"""Certifications (认证证书) held by an enterprise, with the status as of any date."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import EnterpriseRecordMixin, TimestampMixin


class Certification(EnterpriseRecordMixin, TimestampMixin, db.Model):
    __tablename__ = "certifications"
    __table_args__ = (
        UniqueConstraint("cert_type", "number"),
        # "holds a valid certificate of type X" (the list's 品字标 filter, the targets): one index-only range on
        # PostgreSQL instead of probing every enterprise's certificates
        Index("ix_certifications_type_enterprise", "cert_type", "enterprise_id",
              postgresql_include=["status", "status_changed_on", "issued_on", "expires_on"]),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    cert_type: Mapped[str] = mapped_column(String(32), index=True)  # registry.vocab.CERTIFICATION_TYPES
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str | None] = mapped_column(String(200))  # issuing body (认证机构)
    scope: Mapped[str | None] = mapped_column(String(300))  # product / scope
    product_domain: Mapped[str | None] = mapped_column(String(100))  # green-product domain
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Recorded status: valid, suspended, revoked, cancelled. "expired" is computed from expires_on.
    status: Mapped[str] = mapped_column(String(16), default="valid", index=True)
    status_changed_on: Mapped[date | None] = mapped_column(Date)  # when suspended/revoked/cancelled

    def status_on(self, day: date) -> str:
        """The status in force on ``day``: a recorded end wins from its date; past expiry is 'expired'."""
        if self.status != "valid" and (self.status_changed_on is None or self.status_changed_on <= day):
            return self.status
        if day < self.issued_on:
            return "not_yet_issued"
        if self.expires_on is not None and self.expires_on < day:
            return "expired"
        return "valid"

    def is_valid_on(self, day: date) -> bool:
        return self.status_on(day) == "valid"
