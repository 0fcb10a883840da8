"""Bureau-entered calendar days for years chinese-calendar does not know (or corrections to it)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from registry.database import begin_write
from registry.extensions import db
from workflows.models import HolidayOverride


def set_day(day: date, is_workday: bool, note: str | None = None) -> HolidayOverride:
    """Record ``day`` as a holiday (False) or a make-up working day (True); commit. Replaces an earlier entry."""
    begin_write()
    row = db.session.scalar(select(HolidayOverride).where(HolidayOverride.day == day))
    if row is None:
        row = HolidayOverride(day=day, is_workday=is_workday, note=note)
        db.session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    db.session.commit()
    return row
