"""The enterprise master record (企业主档): one row per enterprise, everything else hangs off it."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.extensions import db
from registry.models.base import TimestampMixin
from registry.models.bigrams import bigrams, create_function_ddl
from registry.models.catalogues import Industry, Jurisdiction


class Enterprise(TimestampMixin, db.Model):
    __tablename__ = "enterprises"
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码, normalised
    # Set when bureau staff accepted a code whose check character fails (some real codes do).
    uscc_override_reason: Mapped[str | None] = mapped_column(Text)
    jurisdiction_id: Mapped[int] = mapped_column(ForeignKey("jurisdictions.id"))
    industry_id: Mapped[int] = mapped_column(ForeignKey("industries.id"))
    above_scale: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # 规上
    # Hospitals, schools and associations win quality awards too: the registry holds organisations of every kind.
    org_type: Mapped[str] = mapped_column(String(16), default="enterprise", server_default="enterprise")
    established_on: Mapped[date | None] = mapped_column(Date)
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    group_name: Mapped[str | None] = mapped_column(String(200))  # 所属集团, for conflict-of-interest checks
    contact_name: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer, default=1)

    jurisdiction: Mapped[Jurisdiction] = relationship(lazy="joined")
    industry: Mapped[Industry] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_enterprise_id(self) -> int:
        return self.id


# Name search on PostgreSQL (registry.models.bigrams): the function must exist before the index that uses it.
event.listen(Enterprise.__table__, "before_create", create_function_ddl())
Index("ix_enterprises_name_bigrams", bigrams(Enterprise.__table__.c.name),
      postgresql_using="gin").ddl_if(dialect="postgresql")
# Search by the start of a credit code (uscc LIKE 'X%'): the unique index serves a full code only, and a B-tree
# answers LIKE prefixes in a non-C collation only with the pattern operator class (SQLite's GLOB uses either).
# The registry list (services.enterprises.search_enterprises) in its order, name then id, whole or within one town or
# industry; each index also holds the other filter columns, so the page's ids and the capped count are read from the
# index alone (PostgreSQL index-only scans) and only the page's 20 rows from the table. They serve the plain
# jurisdiction_id / industry_id / name lookups too (migration 0028 replaced those single-column indexes).
Index("ix_enterprises_list_name", Enterprise.__table__.c.name, Enterprise.__table__.c.id,
      postgresql_include=["jurisdiction_id", "industry_id", "above_scale"])
Index("ix_enterprises_list_jurisdiction", Enterprise.__table__.c.jurisdiction_id, Enterprise.__table__.c.name,
      Enterprise.__table__.c.id, postgresql_include=["industry_id", "above_scale"])
Index("ix_enterprises_list_industry", Enterprise.__table__.c.industry_id, Enterprise.__table__.c.name,
      Enterprise.__table__.c.id, postgresql_include=["above_scale"])
# An enterprise's town by its id, from a small index (21 MB at 1,000,000 enterprises, against 224 MB of table): the
# town assessment joins every counted record to it (registry.targets.counting.count_by_jurisdiction).
Index("ix_enterprises_id_jurisdiction", Enterprise.__table__.c.id, postgresql_include=["jurisdiction_id"])
Index("ix_enterprises_uscc_prefix", Enterprise.__table__.c.uscc, postgresql_ops={"uscc": "varchar_pattern_ops"})
