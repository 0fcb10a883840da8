"""How a moment is shown: every stored time (UTC, naive from SQLite) in Linhai time (Asia/Shanghai).

One function, ``local_time``, registered as the Jinja filter and global of the same name; every page and every
row builder that shows a datetime goes through it, so no page shows UTC.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Flask

from registry.clock import LOCAL_TZ

MINUTES = "%Y-%m-%d %H:%M"
DAY = "%Y-%m-%d"


def local_time(moment: datetime | date | str | None, fmt: str = MINUTES, empty: str = "") -> str:
    """``moment`` (aware, naive UTC, or an ISO string as JSON columns keep it) in Asia/Shanghai, as ``fmt``.
    A plain date has no zone and is shown as it is."""
    if moment is None or moment == "":
        return empty
    if isinstance(moment, str):
        try:
            moment = datetime.fromisoformat(moment)
        except ValueError:
            return moment
    if not isinstance(moment, datetime):  # a date
        return moment.strftime(fmt if "%H" not in fmt else DAY)
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ).strftime(fmt)


def local_day(moment, empty: str = "") -> str:
    return local_time(moment, DAY, empty)


def register(app: Flask) -> None:
    app.jinja_env.filters.update(local_time=local_time, local_day=local_day)
    app.jinja_env.globals.update(local_time=local_time)
