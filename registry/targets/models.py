"""Indicator catalogue (指标), reported values (填报值), monthly snapshots (月度快照), export jobs and the plan's
reviews (年度监测, 中期评估, 总结评估)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import TimestampMixin, utcnow

PLAN_14TH = "14th"  # 十四五 Table 2: the current targets
PLAN_13TH = "13th"  # 十三五 Table 1: 2020 target and result, the baseline

KIND_NEW = "new"  # 新增: new within 2021-2025
KIND_CUMULATIVE = "cumulative"  # 累计: holdings at a date
KIND_RATE = "rate"  # 比例: a percentage or statistic, latest value
KIND_GROWTH = "growth"  # 同比增长: year-on-year growth of a yearly count

METHOD_DERIVED = "derived"  # counted from the registry by a named rule
METHOD_REPORTED = "reported"  # entered by the bureau per year with its source


class Indicator(TimestampMixin, db.Model):
    """One indicator of the plan. ``target_text`` is the target as printed ("≥96"); ``target_value`` its number."""

    __tablename__ = "indicators"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    plan: Mapped[str] = mapped_column(String(8), index=True)
    category: Mapped[str] = mapped_column(String(16))  # 质量建设 / 标准建设 / 品牌建设
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16), default="")
    target_text: Mapped[str] = mapped_column(String(32), default="")
    target_value: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    # Derived: the counting rule. Reported: an optional rule whose registry count is shown beside the value.
    rule: Mapped[str | None] = mapped_column(String(48))
    baseline_result_text: Mapped[str | None] = mapped_column(String(32))  # 十三五: 2020 完成情况
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    retired_on: Mapped[date | None] = mapped_column(Date)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    values: Mapped[list["ReportedValue"]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="ReportedValue.year"
    )

    @property
    def audit_enterprise_id(self) -> None:
        return None


class ReportedValue(TimestampMixin, db.Model):
    """A value the bureau entered for one indicator and year, with where it came from.

    For a reported indicator it is the indicator's value. For a derived one it is the official figure the bureau
    is held to (台州/省 statistics, the 品字标 platform, CNIPA), shown beside the registry's own count; ``items``
    lists what the official statistic counted (one per line) so the difference can be itemised.
    """

    __tablename__ = "reported_values"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(300))
    attachment_path: Mapped[str | None] = mapped_column(String(300))  # stored name under UPLOAD_DIR/targets
    attachment_name: Mapped[str | None] = mapped_column(String(200))  # the name the file was uploaded with
    published_on: Mapped[date | None] = mapped_column(Date)  # the date of the source (公报, 通报...)
    items: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    indicator: Mapped[Indicator] = relationship(back_populates="values")

    @property
    def audit_enterprise_id(self) -> None:
        return None


class TargetSnapshot(db.Model):
    """The dashboard and town assessment as computed on ``as_of``, stored so past reports reproduce exactly."""

    __tablename__ = "target_snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, unique=True)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    payload: Mapped[dict] = mapped_column(JSON)


class TargetExport(db.Model):
    """A workbook built in the background (Celery ``targets.export``): progress and the file to download."""

    __tablename__ = "target_exports"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    jurisdiction_code: Mapped[str | None] = mapped_column(String(12))
    industry_code: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, running, done, failed
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


REVIEW_ANNUAL = "annual"  # 年度监测报告
REVIEW_MIDTERM = "midterm"  # 中期评估 (2023)
REVIEW_FINAL = "final"  # 总结评估 (2025)


class PlanReview(db.Model):
    """A review the plan asks for (section 八(三)), built by the worker (``targets.review``) and kept as it was made.

    ``payload`` holds every figure of the report; once ``issued_at`` is set the review never changes again (a
    re-run leaves it alone), so what was reported upward can always be shown exactly.
    """

    __tablename__ = "plan_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # REVIEW_ANNUAL / REVIEW_MIDTERM / REVIEW_FINAL
    year: Mapped[int] = mapped_column(Integer, index=True)
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, running, done, failed
    progress: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
