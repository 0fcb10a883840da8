"""Targets pages: the dashboard, the counted records behind each number, and the town assessment."""
from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup
from flask_babel import get_locale, gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from registry import pagination
from registry.extensions import db
from registry.models import Industry, Jurisdiction
from registry.routing import int_arg, page_arg
from registry.services.errors import ValidationFailed
from registry.targets import charts, services
from registry.targets.workbooks import describe
from registry.targets.assessment import check_viewer, town_assessment
from registry.targets.blueprint import bp
from registry.targets.counting import PLAN_YEARS, year_ago
from registry.targets.figures import cached_fragment
from registry.targets.forms import FiltersForm
from registry.targets.rules import all_rules

RECORDS_PER_PAGE = 100


def request_filters() -> tuple[services.Filters, dict]:
    """Filters from the query string; bad values fall back to the defaults and come back as form errors."""
    args = request.args
    try:
        return services.parse_filters(args.get("as_of"), args.get("jurisdiction"), args.get("industry")), {}
    except ValidationFailed as exc:
        return services.parse_filters(None), exc.errors


def filters_form(filters: services.Filters, errors: dict) -> FiltersForm:
    form = FiltersForm(formdata=None, as_of=filters.as_of,
                       jurisdiction=filters.jurisdiction.code if filters.jurisdiction else "",
                       industry=filters.industry.code if filters.industry else "")
    form.jurisdiction.choices = [SelectChoice("", _("全市"))] + [
        SelectChoice(code, name) for code, name in db.session.execute(
            select(Jurisdiction.code, Jurisdiction.name).order_by(Jurisdiction.sort_order))]
    form.industry.choices = [SelectChoice("", _("全部产业"))] + [
        SelectChoice(code, name) for code, name in db.session.execute(
            select(Industry.code, Industry.name).order_by(Industry.sort_order))]
    for field, messages in errors.items():
        getattr(form, field).errors = list(messages)
    return form


def spark_values(row: dict) -> list:
    """What the row's sparkline shows: running totals for 新增 counts, the yearly values otherwise."""
    values = [row["by_year"][y] for y in PLAN_YEARS]
    if row["kind"] == "new" and row["method"] == "derived":
        total, out = 0, []
        for v in values:
            if v is None:
                out.append(None)
            else:
                total += v
                out.append(total)
        return out
    return values


def by_category(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """Rows grouped by category in first-seen order (an added indicator joins its category's table)."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["category"], []).append(row)
    return list(groups.items())


@bp.app_template_filter("target_num")
def target_num(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{int(value)}"


@bp.get("/")
@login_required
def dashboard():
    filters, errors = request_filters()
    services.require_viewer(current_user)

    def render() -> str:
        rows = services.dashboard(current_user, filters)
        chart_items = [{"label": r["name"], "share": r["share"], "on_pace": r["on_pace"],
                        "expected_share": (r["expected"] / r["target_value"])
                        if r["expected"] and r["target_value"] else None}
                       for r in rows if r["share"] is not None]
        sparks = {r["code"]: charts.year_bars(spark_values(r), r["target_value"] if r["kind"] != "growth" else None,
                                              r["name"]) for r in rows}
        summary = {"on_pace": sum(r["on_pace"] is True for r in rows),
                   "behind": sum(r["on_pace"] is False for r in rows),
                   "unknown": sum(r["on_pace"] is None for r in rows)}
        return render_template(
            "targets/_dashboard_body.html", rows=rows, categories=by_category(rows),
            baseline=services.baseline_indicators(current_user), filters=filters, form=filters_form(filters, errors),
            years=PLAN_YEARS, chart=charts.share_bars(chart_items, _("目标完成率")) if chart_items else None,
            sparks=sparks, summary=summary, active="dashboard")

    parts = (*filters.as_args().values(), filters.jurisdiction is None, filters.industry is None, get_locale())
    body = render() if errors else cached_fragment("dashboard", parts, render)
    return render_template("targets/dashboard.html", body=Markup(body), filters=filters,
                           elapsed=services.elapsed_share(filters.as_of))


@bp.get("/<code>/records")
@login_required
def records(code: str):
    filters, errors = request_filters()
    year = int_arg("year", minimum=1900, maximum=2100)
    indicator, items = services.counted_records(current_user, code, filters, year)
    shown = pagination.of_list(items, page_arg(), RECORDS_PER_PAGE, keep_page=True)
    args = {**filters.as_args(), **({"year": year} if year else {}), "code": code}
    return render_template("targets/records.html", indicator=indicator, rule=all_rules()[indicator.rule],
                           items=shown.items, total=shown.total, first=shown.first,
                           page=shown.page, pages=shown.pages, args=args, filters=filters, year=year,
                           form=filters_form(filters, errors), describe=describe)


@bp.get("/towns")
@login_required
def towns():
    filters, errors = request_filters()
    check_viewer(current_user)
    can_export = services.can_view_targets(current_user)

    def render() -> str:
        result = town_assessment(current_user, filters.as_of)
        chart = charts.score_bars(result["rows"], _("镇街考核得分")) if len(result["rows"]) > 1 else None
        return render_template("targets/_towns_body.html", result=result, filters=filters, chart=chart,
                               form=filters_form(filters, errors), can_export=can_export, active="towns")

    scope = "all" if can_export else current_user.jurisdiction_id
    parts = (filters.as_of.isoformat(), scope, get_locale())
    body = render() if errors else cached_fragment("towns", parts, render)
    return render_template("targets/towns.html", body=Markup(body), can_export=can_export, filters=filters,
                           compared_with=year_ago(filters.as_of))


from registry.targets import admin_views, export_views, review_views  # noqa: E402,F401  (their routes live on bp)
