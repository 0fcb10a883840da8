"""Security audit page (系统管理 › 安全审计): the trail with filters (who, what, when, from where), paging and an
.xlsx export. Administrators only (the use cases in ``registry.audit.trail`` refuse anyone else)."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from registry import policy
from registry.admin.views import bp
from registry.audit import trail
from registry.audit.events import EVENTS, label
from registry.audit.workbook import details_text, write
from registry.downloads import export_name, send_download
from registry.services.errors import ValidationFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTER_NAMES = ("actor", "event", "address", "since", "until")


@bp.app_template_global()
def may_see_audit() -> bool:
    """Whether the 安全审计 tab shows (the page itself is refused by the use case to anyone else)."""
    return policy.can(current_user, "audit.view")


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


@bp.route("/audit")
def audit_page():
    args = {name: request.args.get(name, "").strip()[:120] for name in FILTER_NAMES if request.args.get(name, "").strip()}
    errors: dict[str, list[str]] = {}
    try:
        filters = trail.parse_filters(request.args)
    except ValidationFailed as exc:
        errors = exc.errors
        filters = trail.AuditFilters()
    page = trail.search(current_user, filters, page=_page_number())
    return render_template("admin/audit.html", page=page, args=args, errors=errors, events=EVENTS, label=label,
                           details_text=details_text), (422 if errors else 200)


@bp.route("/audit/export.xlsx")
def audit_export():
    filters = trail.parse_filters(request.args)
    stream = write(trail.rows_for_export(current_user, filters))
    response = send_download(stream, export_name("安全审计"), XLSX)
    response.headers["Cache-Control"] = "no-store"
    return response
