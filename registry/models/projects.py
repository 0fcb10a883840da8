"""Projects (工程): what an engineering-quality honour (钱江杯, 鲁班奖, 国家优质工程奖, 詹天佑奖, 括苍杯) is given to.

Several units share one project (the main contractor, participating builders, the designer, the supervisor...):
each Linhai unit records its own honour row naming the project, and the honour rows of one project point at one
``Project`` here, so the plan's indicators count the project once (``registry.targets.rules``).
"""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import TimestampMixin


class Project(TimestampMixin, db.Model):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # The name folded for matching (spaces and full-width forms removed): two units typing one project meet here.
    name_key: Mapped[str] = mapped_column(String(300), unique=True)
    location: Mapped[str | None] = mapped_column(String(200))
