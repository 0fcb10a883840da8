"""Background work of the targets area: the full export (all sheets and every counted record) with progress,
and the monthly snapshot. Tasks in tasks.py call these."""
from __future__ import annotations

import os
from datetime import date, timedelta

from flask import current_app
from openpyxl import Workbook
from sqlalchemy import select

from registry.clock import LOCAL_TZ, parse_now
from registry.audit.trail import filter_words, record
from registry.database import begin_write
from registry.extensions import db
from registry.files import DISK_FULL, StorageFull, write_atomically
from registry.models import User
from registry.models.base import utcnow
from registry.services.errors import NotFound
from registry.targets import services, workbooks
from registry.targets.assessment import assessment_indicators, compute_assessment
from registry.targets.counting import records
from registry.targets.models import METHOD_DERIVED, PLAN_14TH, TargetExport, TargetSnapshot
from registry.targets.rules import all_rules, get_rule
from workflows import dispatch


def export_dir() -> str:
    folder = os.path.join(current_app.config["EXPORT_DIR"], "targets")
    os.makedirs(folder, exist_ok=True)
    return folder


def start_export(user: User, filters: services.Filters) -> TargetExport:
    """Record an export job and, in the same transaction, its hand-off to the worker (``targets.export``, through
    the outbox). Raises Forbidden."""
    services.require_viewer(user)
    begin_write()
    job = TargetExport(user_id=user.id, as_of=filters.as_of, status="pending",
                       jurisdiction_code=filters.jurisdiction.code if filters.jurisdiction else None,
                       industry_code=filters.industry.code if filters.industry else None)
    db.session.add(job)
    db.session.flush()
    record("export", user, f"target_export:{job.id}", {"what": "指标完整导出", "filters": filter_words(filters)})
    dispatch.hand_off("targets.export", job.id)
    db.session.commit()
    dispatch.send_handed_off()  # broker down: the job stays pending and the outbox relay sends it later
    return job


def get_export(user: User, export_id: int) -> TargetExport:
    """An export of the user's (bureau and admin see all). Raises Forbidden, NotFound."""
    services.require_viewer(user)
    job = db.session.get(TargetExport, export_id)
    if job is None:
        raise NotFound("未找到该导出任务。")
    return job


def recent_exports(user: User, limit: int = 20) -> list[TargetExport]:
    services.require_viewer(user)
    return list(db.session.scalars(select(TargetExport).order_by(TargetExport.id.desc()).limit(limit)))


def _progress(job: TargetExport, done: int) -> None:
    begin_write()  # the sheet was read in a transaction of its own: write in a fresh one (SQLite)
    job.progress = done
    db.session.commit()


def run_export(export_id: int) -> str:
    """Build the workbook of an export job; idempotent (a finished job is left alone). Returns its status.

    Every write starts a transaction of its own (``begin_write``): on SQLite a read transaction cannot become a
    write one once another process has committed since it began ("database is locked" at once, whatever the
    busy timeout), and the web process commits the outbox row just after handing this job off."""
    begin_write()
    job = db.session.get(TargetExport, export_id)
    if job is None or job.status == "done":
        db.session.rollback()
        return job.status if job else "missing"
    filters = services.parse_filters(job.as_of.isoformat(), job.jurisdiction_code, job.industry_code)
    indicators = [i for i in services.plan_indicators(PLAN_14TH) if i.method == METHOD_DERIVED and i.rule in all_rules()]
    job.status, job.total, job.progress, job.error = "running", len(indicators) + 2, 0, None
    db.session.commit()
    try:
        scope = workbooks.scope_text(job.as_of.isoformat(), filters.jurisdiction and filters.jurisdiction.name,
                                     filters.industry and filters.industry.name)
        wb = Workbook()
        workbooks.dashboard_sheet(wb, services.indicator_rows(services.plan_indicators(PLAN_14TH), filters), scope)
        _progress(job, 1)
        workbooks.towns_sheet(wb, compute_assessment(job.as_of), scope, first=False)
        _progress(job, 2)
        for n, ind in enumerate(indicators, start=3):
            items = records(get_rule(ind.rule), filters.as_of, filters.jurisdiction_id, filters.industry_id)
            workbooks.records_sheet(wb, ind.code, ind.name, items, scope)
            _progress(job, n)
        name = f"targets-{job.id}-{job.as_of.isoformat()}.xlsx"
        folder = os.path.join(current_app.config["EXPORT_DIR"], "targets")
        write_atomically(os.path.join(folder, name), wb.save)  # the file in place before the row says done
        begin_write()
        job.file_name, job.status, job.finished_at = name, "done", utcnow()
    except Exception as exc:  # noqa: BLE001  (recorded on the job for the user; the task does not retry)
        db.session.rollback()
        begin_write()
        job = db.session.get(TargetExport, export_id)
        job.status, job.error = "failed", (DISK_FULL if isinstance(exc, StorageFull) else str(exc))[:500]
    db.session.commit()
    return job.status


def export_path(job: TargetExport) -> str:
    if job.status != "done" or not job.file_name:
        raise NotFound("导出文件尚未生成。")
    return os.path.join(export_dir(), job.file_name)


def month_end_before(now_iso: str | None) -> date:
    """The last day of the month before ``now`` (the snapshot a monthly run takes)."""
    local = parse_now(now_iso).astimezone(LOCAL_TZ).date()
    return local.replace(day=1) - timedelta(days=1)


def take_snapshot(day: date) -> TargetSnapshot:
    """Store the city dashboard, the town assessment and the counted record keys as of ``day``; idempotent
    (an existing snapshot for the date is returned unchanged, so past reports stay exactly as issued)."""
    existing = db.session.scalar(select(TargetSnapshot).where(TargetSnapshot.as_of == day))
    if existing is not None:
        return existing
    filters = services.Filters(day)
    rows = services.indicator_rows(services.plan_indicators(PLAN_14TH), filters)
    towns = compute_assessment(day)
    counted = {}
    for ind in assessment_indicators():
        counted[ind.code] = [[item["key"], item["record_id"]] for item in records(get_rule(ind.rule), day)]
    payload = {"as_of": day.isoformat(), "dashboard": _jsonable(rows), "towns": towns, "counted": counted}
    begin_write()
    snapshot = TargetSnapshot(as_of=day, payload=payload)
    db.session.add(snapshot)
    db.session.commit()
    return snapshot


def _plain(value):
    """A value as JSON stores it: dates as ISO strings, inside lists and dicts too (reported values carry dates)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _jsonable(rows: list[dict]) -> list[dict]:
    return [_plain(dict(row)) for row in rows]


def snapshots(user: User) -> list[TargetSnapshot]:
    services.require_viewer(user)
    return list(db.session.scalars(select(TargetSnapshot).order_by(TargetSnapshot.as_of.desc())))


def get_snapshot(user: User, snapshot_id: int) -> TargetSnapshot:
    services.require_viewer(user)
    snapshot = db.session.get(TargetSnapshot, snapshot_id)
    if snapshot is None:
        raise NotFound("未找到该快照。")
    return snapshot
