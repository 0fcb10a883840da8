"""Excel pages: upload and preview, confirm, progress, templates, and the exports. Views only call services."""
from __future__ import annotations

from dataclasses import fields
from io import BytesIO

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import BuildError

from registry.downloads import export_name, send_download
from registry.errors import error_response, too_large
from registry.excel import exporter, importer
from registry.excel.models import IMPORT_STATUSES
from registry.excel.forms import ConfirmForm, UploadForm
from registry.excel.templates import build_template, import_choices, sheet_for
from registry.services.enterprises import EnterpriseFilters
from registry.services.errors import Conflict, Forbidden, ValidationFailed

bp = Blueprint("excel", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_importer() -> None:
    if not importer.can_import(current_user):
        raise Forbidden(_("只有市局人员可以导入数据。"))


def _filters() -> EnterpriseFilters:
    """The list page's query parameters (same names), each cut to a sane length."""
    return EnterpriseFilters(**{f.name: value[:200] for f in fields(EnterpriseFilters)
                                if (value := request.args.get(f.name, "").strip())})


def _xlsx(stream, name: str):
    response = send_download(stream, name, XLSX)
    response.headers["Cache-Control"] = "no-store"
    return response


def _endpoint_url(endpoint: str, **values) -> str | None:
    try:
        return url_for(endpoint, **values)
    except BuildError:  # the other area is not registered in this build
        return None


def _needs_fix(job) -> bool:
    return job.status == "previewed" and job.error_count > 0


def _job_label(job) -> str:
    return _("需修正") if _needs_fix(job) else IMPORT_STATUSES.label(job.status)


def _job_badge(job) -> str:
    return "import-needs-fix" if _needs_fix(job) else f"import-{job.status}"


@bp.context_processor
def _helpers():
    return {"job_label": _job_label, "job_badge": _job_badge}


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    return too_large(_("请把表格拆分成几个文件后分批导入。"))


@bp.route("/imports", methods=["GET", "POST"])
@login_required
def import_page():
    _require_importer()
    form = UploadForm()
    status = 200
    if request.method == "GET" and request.args.get("kind") in dict(import_choices()):
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        upload = form.file.data
        try:
            job = importer.start_import(current_user, form.kind.data, upload.filename, upload.stream)
        except ValidationFailed as exc:
            form.file.errors = list(form.file.errors) + exc.errors.get("file", [exc.message])
            status = 400
        except Conflict as exc:
            flash(exc.message, "danger")
            status = 409
        else:
            return redirect(url_for("excel.job", job_id=job.id))
    elif request.method == "POST":
        status = 400
    return render_template("excel/import.html", form=form, jobs=importer.recent_jobs(current_user),
                           kinds=import_choices(), threshold=current_app.config["IMPORT_ASYNC_THRESHOLD"]), status


@bp.route("/imports/<int:job_id>")
@login_required
def job(job_id: int):
    job = importer.get_job(current_user, job_id)
    return render_template("excel/job.html", job=job, status=importer.job_status(current_user, job_id),
                           sheet=sheet_for(job.kind), form=ConfirmForm(),
                           registry_url=_endpoint_url("enterprises.index"))


@bp.route("/imports/<int:job_id>/confirm", methods=["POST"])
@login_required
def confirm(job_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return error_response(400, _("表单已过期，请刷新页面后重试。"))
    try:
        job = importer.confirm_import(current_user, job_id)
    except Conflict as exc:
        flash(exc.message, "danger")
    else:
        if job.status == "committed":
            flash(_("导入成功：%(n)s 行已写入。", n=job.total_rows), "success")
        elif job.status == "failed":
            flash(job.message, "danger")
    return redirect(url_for("excel.job", job_id=job_id))


@bp.route("/imports/<int:job_id>/status.json")
@login_required
def job_status(job_id: int):
    return jsonify(importer.job_status(current_user, job_id))


@bp.route("/imports/templates/<slug>.xlsx")
@login_required
def template(slug: str):
    _require_importer()
    sheet = sheet_for(slug)
    return _xlsx(BytesIO(build_template(slug)), f"导入模板-{sheet.label}.xlsx")


@bp.route("/enterprises/export.xlsx")
@login_required
def export_enterprises():
    stream = exporter.export_enterprises(current_user, _filters())
    return _xlsx(stream, export_name("企业名录"))


@bp.route("/enterprises/export/<slug>.xlsx")
@login_required
def export_records(slug: str):
    stream = exporter.export_records(current_user, _filters(), None if slug == "all" else slug)
    label = "全部记录" if slug == "all" else sheet_for(slug).label
    return _xlsx(stream, export_name(label))


@bp.route("/enterprises/<int:enterprise_id>/records.xlsx")
@login_required
def export_enterprise_records(enterprise_id: int):
    stream, enterprise = exporter.export_enterprise_records(current_user, enterprise_id)
    return _xlsx(stream, export_name(f"{enterprise.name}-质量档案"))
