"""Administrator-editable settings (configurable rules such as look-back years), stored as JSON."""
from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db
from registry.models.base import TimestampMixin


class Setting(TimestampMixin, db.Model):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict | list | int | float | str | bool | None] = mapped_column(JSON)
