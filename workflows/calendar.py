"""Chinese working days (工作日): public holidays and make-up working days (调休).

Order of authority for a day: a bureau-entered ``HolidayOverride``; then the ``chinese_calendar`` package for the
years the State Council has announced; for later years (the package raises) plain weekends, until the bureau
enters that year's days.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import chinese_calendar
from sqlalchemy import select

from registry.clock import LOCAL_TZ
from registry.extensions import db
from workflows.models import HolidayOverride


def overrides() -> dict[date, bool]:
    """The bureau's entered days (cached per process: ``registry.refcache``)."""
    from registry import refcache

    return dict(refcache.cached("holiday_overrides", lambda: dict(
        db.session.execute(select(HolidayOverride.day, HolidayOverride.is_workday)).all())))


def is_workday(day: date, known: dict[date, bool] | None = None) -> bool:
    known = overrides() if known is None else known
    if day in known:
        return known[day]
    return _announced_workday(day)


@lru_cache(maxsize=4096)
def _announced_workday(day: date) -> bool:
    """The package's answer, which never changes within a process (every stage run opened counts its days)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


def add_working_days(day: date, n: int, known: dict[date, bool] | None = None) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself not counted); ``n`` may be negative."""
    known = overrides() if known is None else known
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        day += timedelta(days=step)
        if is_workday(day, known):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, known: dict[date, bool] | None = None) -> int:
    """Working days in (start, end]; negative when end is before start."""
    known = overrides() if known is None else known
    if end < start:
        return -working_days_between(end, start, known)
    return sum(1 for i in range(1, (end - start).days + 1) if is_workday(start + timedelta(days=i), known))


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), LOCAL_TZ)


def start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), LOCAL_TZ)


def deadline(start: datetime, days: int, *, calendar_days: bool = False, remind_days: int = 0
             ) -> tuple[datetime, datetime | None]:
    """(due_at, remind_at) for a limit of ``days`` counted from ``start``: due at the end of the last day (local time);
    the reminder at the start of the day ``remind_days`` working days before it (None when 0 or not after start)."""
    known = overrides()
    first = start.astimezone(LOCAL_TZ).date()
    due_day = first + timedelta(days=days) if calendar_days else add_working_days(first, days, known)
    return deadline_on(due_day, start, remind_days=remind_days, known=known)


def deadline_on(due_day: date, start: datetime, *, remind_days: int = 0, known: dict[date, bool] | None = None
                ) -> tuple[datetime, datetime | None]:
    """(due_at, remind_at) for a fixed last day (a round's stage deadline, say): due at its end (local time), the
    reminder ``remind_days`` working days before (None when 0 or not after ``start``)."""
    known = overrides() if known is None else known
    due_at = end_of_local_day(due_day).astimezone(timezone.utc)  # stored in UTC (SQLite keeps no zone)
    remind_at = None
    if remind_days > 0:
        remind_at = start_of_local_day(add_working_days(due_day, -remind_days, known)).astimezone(timezone.utc)
        if remind_at <= start:
            remind_at = None
    return due_at, remind_at
