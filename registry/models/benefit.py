"""亩均效益评价: the county's yearly grading of enterprises by output and tax per mu of land (A/B/C/D class).

The 经信局 publishes the grades each year; the bureau records them here (form, API or Excel import), one row per
enterprise and evaluation year. Award eligibility reads the grade of the year its rules name.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import EnterpriseRecordMixin, TimestampMixin


class BenefitGrade(EnterpriseRecordMixin, TimestampMixin, db.Model):
    __tablename__ = "benefit_grades"
    __table_args__ = (UniqueConstraint("enterprise_id", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)  # the evaluation year (评价年度)
    grade: Mapped[str] = mapped_column(String(1))  # registry.vocab.BENEFIT_GRADES
    authority: Mapped[str | None] = mapped_column(String(200))  # who published it
    published_on: Mapped[date | None] = mapped_column(Date)  # when the results were published (公布日期)
    note: Mapped[str | None] = mapped_column(Text)
