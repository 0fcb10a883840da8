"""申报总览: the bureau's (and a town's) list of every application, with filters, paging and the .xlsx export.
Views only call ``workflows.services.overview``."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry import clock, pagination
from registry.audit.trail import exported, filter_words
from registry.downloads import export_name, send_download
from registry.extensions import db
from registry.models import Jurisdiction
from workflows.services import overview, overview_workbook
from workflows.spec import STATUS_LABELS
from workflows.views import bp

PER_PAGE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return min(int(raw), 100000) if raw.isdigit() and int(raw) > 0 else 1


@bp.route("/applications/all")
@login_required
def overview_page():
    filters = overview.parse_filters(request.args)
    number = _page_number()
    rows, total = overview.page(current_user, filters, number, PER_PAGE)
    this_year = clock.today().year
    return render_template(
        "workflows/overview.html", rows=rows, total=total, page=number, pages=pagination.page_count(total, PER_PAGE),
        filters=filters, args=filters.as_args(), workflows=overview.workflow_labels(),
        stages=overview.stage_labels(), statuses=STATUS_LABELS, towns=overview.towns(current_user),
        years=range(this_year, 2020, -1), status_text=lambda row: overview.status_text(row, _),
        stage_text=lambda a: overview.stage_text(a, _))


def _scope_words(filters: overview.OverviewFilters) -> str:
    parts = [f"导出时间：{clock.now().astimezone(clock.LOCAL_TZ):%Y-%m-%d %H:%M}"]
    if filters.workflow:
        parts.append(f"类型：{overview.workflow_labels().get(filters.workflow, filters.workflow)}")
    if filters.stage:
        parts.append(f"阶段：{overview.stage_labels().get(filters.stage, filters.stage)}")
    if filters.status:
        parts.append(f"状态：{STATUS_LABELS.get(filters.status, filters.status)}")
    if filters.jurisdiction_id:
        town = db.session.get(Jurisdiction, filters.jurisdiction_id)
        parts.append(f"镇街：{town.name if town else filters.jurisdiction_id}")
    if filters.year:
        parts.append(f"年度：{filters.year}")
    if filters.overdue_only:
        parts.append("仅超期")
    if filters.q:
        parts.append(f"搜索：{filters.q}")
    return "　".join(parts)


@bp.route("/applications/all/export.xlsx")
@login_required
def overview_export():
    filters = overview.parse_filters(request.args)
    if overview.can_list(current_user):  # a refusal is the service's 403 below, not an audited export
        exported(current_user, "申报总览", {"filters": filter_words(filters)})
    stream = overview_workbook.write(overview.all_rows(current_user, filters), _scope_words(filters))
    return send_download(stream, export_name("申报总览"), XLSX)
