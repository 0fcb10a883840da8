"""Holidays page (节假日与调休): the year as the deadline calendar counts it, and the days the bureau enters for
years chinese-calendar does not know yet (until then those years count weekends only)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry import clock
from registry.admin.forms import HolidayForm
from registry.admin.views import bp
from registry.forms.specs import service_error
from registry.services.errors import ValidationFailed
from workflows.services import holidays


def _year() -> int:
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdigit() else clock.today().year + (1 if clock.today().month >= 11 else 0)
    return min(max(year, holidays.FIRST_YEAR), holidays.LAST_YEAR)


@bp.route("/holidays", methods=["GET", "POST"])
def holidays_page():
    year = _year()
    form = HolidayForm()
    status, messages = 200, []
    if form.validate_on_submit():
        try:
            row = holidays.set_day(form.day.data, form.is_workday.data == "1", form.note.data, user=current_user)
        except ValidationFailed as exc:
            status, messages = service_error(form, exc)
        else:
            flash(_("已登记 %(day)s 为%(kind)s。", day=row.day.isoformat(),
                    kind=_("调休上班日") if row.is_workday else _("放假日")), "success")
            return redirect(url_for(".holidays_page", year=row.day.year))
    elif request.method == "POST":
        status = 422
    return render_template("admin/holidays.html", year=year, months=holidays.year_days(year),
                           known=holidays.year_known(year), entered=holidays.overrides_in(year), form=form,
                           messages=messages, today=clock.today()), status


@bp.route("/holidays/<int:override_id>/delete", methods=["POST"])
def holiday_delete(override_id: int):
    day = holidays.remove_day(current_user, override_id)
    flash(_("已撤销 %(day)s 的设置。", day=day.isoformat()), "success")
    return redirect(url_for(".holidays_page", year=day.year))
