"""Worker heartbeat: a canary task stamps this row so /healthz can tell a worker that stopped consuming."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.extensions import db


class Heartbeat(db.Model):
    __tablename__ = "heartbeats"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
