"""Export pages: workbooks of the dashboard and the town assessment, background full exports, snapshots."""
from __future__ import annotations

from io import BytesIO

from flask import Response, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry.audit.trail import exported, filter_words
from registry.downloads import export_name, send_download
from registry.targets import jobs, services, workbooks
from registry.targets.assessment import town_assessment
from registry.targets.blueprint import bp
from registry.targets.views import request_filters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> Response:
    return send_download(BytesIO(data), name, XLSX)


def _scope(filters: services.Filters) -> str:
    return workbooks.scope_text(filters.as_of.isoformat(), filters.jurisdiction and filters.jurisdiction.name,
                                filters.industry and filters.industry.name)


@bp.get("/export.xlsx")
@login_required
def export_dashboard():
    filters, _errors = request_filters()
    rows = services.dashboard(current_user, filters)
    exported(current_user, "指标看板", {"filters": filter_words(filters)})
    return _xlsx(workbooks.dashboard_workbook(rows, _scope(filters)), export_name("规划指标", filters.as_of))


@bp.get("/towns/export.xlsx")
@login_required
def export_towns():
    filters, _errors = request_filters()
    result = town_assessment(current_user, filters.as_of)
    exported(current_user, "镇街考核", {"as_of": filters.as_of.isoformat()})
    return _xlsx(workbooks.towns_workbook(result, _scope(services.Filters(filters.as_of))),
                 export_name("镇街考核", filters.as_of))


@bp.post("/exports")
@login_required
def start_export():
    filters, _errors = request_filters()
    job = jobs.start_export(current_user, filters)
    flash(_("已开始生成完整导出（含全部明细），完成后可在此下载。"), "info")
    return redirect(url_for("targets.export_status", export_id=job.id))


@bp.get("/exports")
@login_required
def exports():
    return render_template("targets/exports.html", jobs=jobs.recent_exports(current_user))


@bp.get("/exports/<int:export_id>")
@login_required
def export_status(export_id: int):
    job = jobs.get_export(current_user, export_id)
    return render_template("targets/export_status.html", job=job)


@bp.get("/exports/<int:export_id>.json")
@login_required
def export_progress(export_id: int):
    job = jobs.get_export(current_user, export_id)
    return jsonify({"id": job.id, "status": job.status, "progress": job.progress, "total": job.total,
                    "download": url_for("targets.export_download", export_id=job.id) if job.status == "done" else None})


@bp.get("/exports/<int:export_id>/download")
@login_required
def export_download(export_id: int):
    job = jobs.get_export(current_user, export_id)
    exported(current_user, "指标完整导出", {"file": job.file_name}, target=f"target_export:{job.id}", event="download")
    return send_download(jobs.export_path(job), export_name("规划指标完整导出", job.as_of), XLSX)


@bp.get("/snapshots")
@login_required
def snapshots():
    return render_template("targets/snapshots.html", snapshots=jobs.snapshots(current_user))


@bp.get("/snapshots/<int:snapshot_id>")
@login_required
def snapshot(snapshot_id: int):
    snap = jobs.get_snapshot(current_user, snapshot_id)
    return render_template("targets/snapshot.html", snap=snap, payload=snap.payload)


@bp.get("/snapshots/<int:snapshot_id>.xlsx")
@login_required
def snapshot_xlsx(snapshot_id: int):
    snap = jobs.get_snapshot(current_user, snapshot_id)
    exported(current_user, "月度快照", {"as_of": snap.as_of.isoformat()}, target=f"target_snapshot:{snap.id}")
    from openpyxl import Workbook

    wb = Workbook()
    scope = workbooks.scope_text(snap.as_of.isoformat(), None, None) + "    （月度快照）"
    workbooks.dashboard_sheet(wb, snap.payload["dashboard"], scope)
    workbooks.towns_sheet(wb, snap.payload["towns"], scope, first=False)
    return _xlsx(workbooks.to_bytes(wb), export_name("月度快照", snap.as_of))
