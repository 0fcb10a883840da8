"""Readiness (/readyz): one verdict per component and an overall one a monitor can alarm on.

Each check returns a ``Verdict``: ``ok``, ``degraded`` (the system serves but something needs a person: a worker
stopped, beat silent, mail piling up, disk filling, next year's holidays not entered) or ``down`` (this node cannot
serve: the database is unreachable, the disk is full). The overall status is the worst one; thresholds are settings
(config.py, ``READY_*``).
"""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime

import redis
from flask import current_app
from sqlalchemy import func, select, text

from registry.clock import LOCAL_TZ, aware
from registry.clock import now as clock_now
from registry.extensions import db
from registry.ops.heartbeats import BEAT, CANARY, WORKER_PREFIX
from registry.redis_urls import urls_for
from registry.services.health import heartbeat_ages

OK, DEGRADED, DOWN = "ok", "degraded", "down"
_RANK = {OK: 0, DEGRADED: 1, DOWN: 2}


@dataclass
class Verdict:
    status: str
    detail: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"status": self.status, **self.detail}


def _worst(statuses) -> str:
    return max(statuses, key=_RANK.__getitem__, default=OK)


def check_database() -> Verdict:
    try:
        db.session.execute(text("SELECT 1"))
        return Verdict(OK)
    except Exception as exc:  # noqa: BLE001  (any driver error means the same: unreachable)
        db.session.rollback()
        return Verdict(DOWN, {"error": type(exc).__name__})


def check_redis(config) -> Verdict:
    """Redis down: pages still work (the outbox holds the work), but nothing reaches the workers: degraded."""
    timeout = float(config["READY_REDIS_TIMEOUT"])
    client = redis.Redis.from_url(urls_for(config["REDIS_URL"]).client, socket_timeout=timeout,
                                  socket_connect_timeout=timeout)
    try:
        client.ping()
        return Verdict(OK)
    except redis.RedisError as exc:
        return Verdict(DEGRADED, {"error": type(exc).__name__})
    finally:
        client.close()


def check_heartbeats(config, now: datetime) -> dict[str, Verdict]:
    """``canary`` (some worker consumes the queue), ``worker:<node>`` per worker, ``beat``."""
    ages = heartbeat_ages(now)
    out: dict[str, Verdict] = {}

    def by_age(age: float | None, limit: float, never: str) -> Verdict:
        if age is None:
            return Verdict(DEGRADED, {"age_seconds": None, "error": never})
        return Verdict(OK if age <= limit else DEGRADED, {"age_seconds": round(age, 1), "threshold_seconds": limit})

    out["canary"] = by_age(ages.get(CANARY), config["READY_CANARY_STALE_SECONDS"], "no worker has run the canary")
    forget = float(config["READY_WORKER_FORGET_HOURS"]) * 3600
    nodes = {name: age for name, age in ages.items() if name.startswith(WORKER_PREFIX) and age <= forget}
    if not nodes:
        out["workers"] = Verdict(DEGRADED, {"error": "no worker has reported"})
    for name, age in sorted(nodes.items()):
        out[name] = by_age(age, config["READY_WORKER_STALE_SECONDS"], "")
    out["beat"] = by_age(ages.get(BEAT), config["READY_BEAT_STALE_SECONDS"], "beat has never published")
    return out


def check_outbox(config, now: datetime) -> dict[str, Verdict]:
    from workflows.models import Outbox

    oldest = db.session.scalar(select(func.min(Outbox.created_at)).where(Outbox.status == "pending"))
    pending = db.session.scalar(select(func.count()).where(Outbox.status == "pending"))
    limit = config["READY_OUTBOX_PENDING_SECONDS"]
    age = None if oldest is None else (now - aware(oldest)).total_seconds()
    outbox = Verdict(OK if age is None or age <= limit else DEGRADED,
                     {"pending": pending, "oldest_pending_age_seconds": None if age is None else round(age, 1),
                      "threshold_seconds": limit})
    dead = db.session.scalar(select(func.count()).where(Outbox.status == "dead"))
    allowed = config["READY_DEAD_LETTERS_MAX"]
    return {"outbox": outbox,
            "dead_letters": Verdict(OK if dead <= allowed else DEGRADED, {"count": dead, "threshold": allowed})}


def disk_paths(config) -> list[str]:
    """INSTANCE_DIR and the upload and export folders (they may be other volumes), those that exist."""
    paths = [config["INSTANCE_DIR"], config.get("UPLOAD_DIR"), config.get("EXPORT_DIR")]
    return [p for p in dict.fromkeys(paths) if p and os.path.isdir(p)]


def check_disk(config) -> Verdict:
    free = {path: shutil.disk_usage(path).free / (1024 * 1024) for path in disk_paths(config)}
    if not free:
        return Verdict(DOWN, {"error": "INSTANCE_DIR does not exist"})
    path, least = min(free.items(), key=lambda item: item[1])
    status = OK
    if least < config["READY_DISK_MIN_FREE_MB"]:
        status = DEGRADED
    if least < config["READY_DISK_CRITICAL_FREE_MB"]:
        status = DOWN
    return Verdict(status, {"path": path, "free_mb": round(least, 1),
                            "threshold_mb": config["READY_DISK_MIN_FREE_MB"],
                            "critical_mb": config["READY_DISK_CRITICAL_FREE_MB"]})


def calendar_source(year: int) -> str | None:
    """Who knows the working days of ``year``: ``chinese_calendar`` (State Council notice in the package), ``bureau``
    (days entered on the holidays page), or None."""
    from workflows.services.holidays import overrides_in, year_known

    if year_known(year):
        return "chinese_calendar"
    return "bureau" if overrides_in(year) else None


def check_calendar(config, now: datetime) -> Verdict:
    today = now.astimezone(LOCAL_TZ).date()
    this, following = today.year, today.year + 1
    years = {str(this): calendar_source(this), str(following): calendar_source(following)}
    status = OK
    if years[str(this)] is None:
        status = DEGRADED
    if years[str(following)] is None and today.month >= config["READY_CALENDAR_NEXT_YEAR_FROM_MONTH"]:
        status = DEGRADED
    return Verdict(status, {"years": years, "next_year_due_month": config["READY_CALENDAR_NEXT_YEAR_FROM_MONTH"]})


def readiness(now: datetime | None = None) -> dict:
    """The report /readyz serves: ``{"status": ..., "checked_at": ..., "components": {name: {"status": ...}}}``."""
    config = current_app.config
    now = now or clock_now()
    components: dict[str, Verdict] = {"database": check_database(), "redis": check_redis(config)}
    database_checks = (("heartbeats", lambda: check_heartbeats(config, now)),
                       ("outbox", lambda: check_outbox(config, now)),
                       ("calendar", lambda: {"calendar": check_calendar(config, now)}))
    for name, check in database_checks:
        if components["database"].status != OK:
            break
        try:
            components.update(check())
        except Exception as exc:  # noqa: BLE001  (a failing check is reported, never a 500)
            db.session.rollback()
            current_app.logger.warning("readiness check failed", exc_info=True)
            components[name] = Verdict(DEGRADED, {"error": type(exc).__name__})
    components["disk"] = check_disk(config)
    db.session.rollback()  # end the read transaction
    return {"status": _worst(v.status for v in components.values()), "checked_at": now.isoformat(),
            "components": {name: verdict.as_json() for name, verdict in components.items()}}
