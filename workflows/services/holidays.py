"""Bureau-entered calendar days for years chinese-calendar does not know (or corrections to it).

Deadlines count working days (``workflows.calendar``); the State Council announces each year's holidays and make-up
working days (调休) late in the year before, and the package knows only the years published when it was released.
For a later year the calendar falls back to plain weekends until the bureau enters that year's days here.
"""
from __future__ import annotations

import calendar as monthly
from dataclasses import dataclass
from datetime import date

import chinese_calendar
from sqlalchemy import select

from registry import policy
from registry.audit.trail import record
from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from registry.services.errors import NotFound, ValidationFailed
from workflows.models import HolidayOverride

FIRST_YEAR, LAST_YEAR = 2004, 2100  # chinese-calendar starts in 2004; beyond 2100 nobody plans
_CHINESE_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}  # 'National Day' -> '国庆节'


@dataclass(frozen=True)
class Day:
    day: date
    is_workday: bool
    source: str  # "override" (entered by the bureau), "official" (chinese-calendar), "weekend" (fallback)
    note: str | None = None
    name: str | None = None  # the holiday's name when the package knows it (春节, 国庆节, ...)


def _require_bureau(user: User) -> None:
    policy.check(user, "holiday.edit")


def year_known(year: int) -> bool:
    """Whether chinese-calendar carries the State Council's announcement for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 30))
    except NotImplementedError:
        return False
    return True


def overrides_in(year: int) -> list[HolidayOverride]:
    return list(db.session.scalars(select(HolidayOverride).where(
        HolidayOverride.day >= date(year, 1, 1), HolidayOverride.day <= date(year, 12, 31)).order_by(HolidayOverride.day)))


def year_days(year: int) -> list[list[Day]]:
    """Every day of ``year`` by month, as the deadline calendar counts it, with where each answer comes from."""
    entered = {o.day: o for o in overrides_in(year)}
    known = year_known(year)
    months = []
    for month in range(1, 13):
        days = []
        for n in range(1, monthly.monthrange(year, month)[1] + 1):
            day = date(year, month, n)
            if day in entered:
                days.append(Day(day, entered[day].is_workday, "override", entered[day].note))
            elif known:
                holiday, name = chinese_calendar.get_holiday_detail(day)
                days.append(Day(day, not holiday, "official", name=_CHINESE_NAMES.get(name, name)))
            else:
                days.append(Day(day, day.weekday() < 5, "weekend"))
        months.append(days)
    return months


def set_day(day: date, is_workday: bool, note: str | None = None, user: User | None = None) -> HolidayOverride:
    """Record ``day`` as a holiday (False) or a make-up working day (True); commit. Replaces an earlier entry.
    With ``user`` (the pages) only bureau staff and administrators may. Raises Forbidden, ValidationFailed."""
    if user is not None:
        _require_bureau(user)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationFailed({"day": [f"日期应在 {FIRST_YEAR} 至 {LAST_YEAR} 年之间。"]})
    note = (note or "").strip()[:100] or None
    begin_write()
    row = db.session.scalar(select(HolidayOverride).where(HolidayOverride.day == day))
    if row is None:
        row = HolidayOverride(day=day, is_workday=is_workday, note=note)
        db.session.add(row)
    else:
        row.is_workday, row.note = is_workday, note
    record("holiday_change", user, f"holiday:{day.isoformat()}", {"day": day.isoformat(), "workday": is_workday,
                                                                   "note": note})
    db.session.commit()
    return row


def remove_day(user: User, override_id: int) -> date:
    """Take back an entered day (the package or the weekend rule applies again); commit. Raises Forbidden,
    NotFound."""
    _require_bureau(user)
    begin_write()
    row = db.session.get(HolidayOverride, override_id)
    if row is None:
        db.session.rollback()
        raise NotFound("未找到该日期设置。")
    day = row.day
    db.session.delete(row)
    record("holiday_change", user, f"holiday:{day.isoformat()}", {"day": day.isoformat(), "removed": True})
    db.session.commit()
    return day
