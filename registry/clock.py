"""The one clock. Time-driven code takes ``now`` as a parameter (tasks accept it as an ISO string), so tests
inject a time instead of sleeping; everything else asks this module."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's date in Linhai (Asia/Shanghai)."""
    return now().astimezone(LOCAL_TZ).date()


def parse_now(value: str | datetime | None) -> datetime:
    """A task's injected ``now`` (ISO string or datetime) or the real time when None; always aware UTC."""
    if value is None:
        return now()
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


def aware(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands DateTime(timezone=True) columns back without their zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
