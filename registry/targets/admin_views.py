"""Indicator administration pages: list, add, edit, retire/restore, reported values (for a derived indicator: the
official figures) with attachments, and an official figure set against the registry."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from registry.clock import today
from registry.downloads import send_download
from registry.services.errors import Conflict, ValidationFailed
from registry.targets import catalogue, official, services
from registry.targets.blueprint import bp
from registry.targets.forms import IndicatorForm, ReportedValueForm
from registry.targets.models import METHOD_DERIVED, PLAN_13TH, PLAN_14TH
from registry.targets.rules import all_rules
from registry.targets.workbooks import describe


def _rule_choices():
    return [SelectChoice("", _("（无）"))] + [SelectChoice(name, f"{name} · {rule.label}")
                                           for name, rule in all_rules().items()]


def _form_errors(form, exc: ValidationFailed) -> None:
    for field, messages in exc.errors.items():
        target = getattr(form, field, None)
        if target is not None:
            target.errors = list(messages)
        else:
            flash("; ".join(messages), "danger")


@bp.get("/indicators")
@login_required
def indicators():
    services.require_viewer(current_user)
    return render_template("targets/indicators.html",
                           current=services.plan_indicators(PLAN_14TH, include_retired=True),
                           baseline=services.plan_indicators(PLAN_13TH, include_retired=True), rules=all_rules())


def _indicator_form_page(form, indicator=None):
    return render_template("targets/indicator_form.html", form=form, indicator=indicator)


@bp.route("/indicators/new", methods=["GET", "POST"])
@login_required
def new_indicator():
    services.require_viewer(current_user)
    form = IndicatorForm()
    form.rule.choices = _rule_choices()
    if form.validate_on_submit():
        try:
            indicator = catalogue.create_indicator(current_user, form.code.data, form.data)
        except ValidationFailed as exc:
            _form_errors(form, exc)
        except Conflict as exc:
            form.code.errors = [exc.message]
        else:
            flash(_("已添加指标 %(name)s。", name=indicator.name), "success")
            return redirect(url_for("targets.indicators"))
    return _indicator_form_page(form)


@bp.route("/indicators/<code>/edit", methods=["GET", "POST"])
@login_required
def edit_indicator(code: str):
    services.require_viewer(current_user)
    indicator = services.get_indicator(code)
    form = IndicatorForm(obj=indicator)
    form.rule.choices = _rule_choices()
    form.code.render_kw = {"readonly": True}
    if request.method == "POST":
        form.code.data = indicator.code  # the code is the indicator's identity: never changed from input
    if form.validate_on_submit():
        try:
            catalogue.update_indicator(current_user, code, form.data)
        except ValidationFailed as exc:
            _form_errors(form, exc)
        else:
            flash(_("指标已保存。"), "success")
            return redirect(url_for("targets.indicators"))
    return _indicator_form_page(form, indicator)


@bp.post("/indicators/<code>/retire")
@login_required
def retire_indicator(code: str):
    catalogue.set_retired(current_user, code, True, today())
    flash(_("指标已停用，历史数据保留。"), "info")
    return redirect(url_for("targets.indicators"))


@bp.post("/indicators/<code>/restore")
@login_required
def restore_indicator(code: str):
    catalogue.set_retired(current_user, code, False, today())
    flash(_("指标已恢复。"), "success")
    return redirect(url_for("targets.indicators"))


@bp.route("/indicators/<code>/values", methods=["GET", "POST"])
@login_required
def reported_values(code: str):
    services.require_viewer(current_user)
    indicator = services.get_indicator(code)
    form = ReportedValueForm()
    if form.validate_on_submit():
        try:
            catalogue.save_reported_value(current_user, code, form.year.data, form.value.data, form.source.data,
                                          form.attachment.data, published_on=form.published_on.data,
                                          items=form.items.data)
        except ValidationFailed as exc:
            _form_errors(form, exc)
        else:
            flash(_("%(year)s 年数值已保存。", year=form.year.data), "success")
            return redirect(url_for("targets.reported_values", code=code))
    return render_template("targets/values.html", indicator=indicator, form=form,
                           derived=indicator.method == METHOD_DERIVED and indicator.rule in all_rules())


@bp.get("/indicators/<code>/official/<int:year>")
@login_required
def official_difference(code: str, year: int):
    """The official figure of ``year`` against the registry's count, with the items behind the difference."""
    found = official.itemise(current_user, code, year, today())
    return render_template("targets/official.html", describe=describe, **found)


@bp.get("/values/<int:value_id>/attachment")
@login_required
def value_attachment(value_id: int):
    path, name = catalogue.attachment(current_user, value_id)
    return send_download(path, name)


@bp.get("/green-domains/unmapped")
@login_required
def unmapped_green_domains():
    from registry.targets.green_domains import still_valid, unmapped

    items = unmapped(current_user)
    day = today()
    return render_template("targets/green_unmapped.html", items=items, day=day,
                           valid={i.certification.id for i in items if still_valid(i, day)})
