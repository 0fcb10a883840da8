"""地理标志产品保护 applications: a geographical indication protected as a product (not a trademark), so it has no
trademark registration number; counted in 地理标志培育、申请数 beside the GI trademarks."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import EnterpriseRecordMixin, TimestampMixin


class GiProduct(EnterpriseRecordMixin, TimestampMixin, db.Model):
    __tablename__ = "gi_products"
    id: Mapped[int] = mapped_column(primary_key=True)
    # the applicant: usually an association or a town government recorded as an organisation
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    product_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # registry.vocab.GI_STATUSES: 培育中, 已申请, 已批准
    cultivation_started_on: Mapped[date | None] = mapped_column(Date)
    applied_on: Mapped[date | None] = mapped_column(Date)
    approved_on: Mapped[date | None] = mapped_column(Date)
    announcement: Mapped[str | None] = mapped_column(String(64))  # 批准公告号
    authority: Mapped[str | None] = mapped_column(String(200))
