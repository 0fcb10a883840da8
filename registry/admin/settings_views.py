"""Settings page (系统设置): every key the areas read, its current value and default; administrators edit."""
from __future__ import annotations

import json

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.admin.forms import SettingForm
from registry import policy, settings as reader
from registry.admin.views import bp
from registry.forms.specs import service_error
from registry.services import settings
from registry.services.errors import ValidationFailed


def shown(spec, value) -> str:
    """A setting value as the page shows it and as the edit box takes it back."""
    if spec.type == "bool":
        return _("是") if value else _("否")
    if spec.choices and spec.type == "str":
        return _(spec.choices[value]) if value in spec.choices else str(value)
    if spec.type == "list":
        return "、".join(_(spec.choices[item]) if spec.choices and item in spec.choices else str(item)
                        for item in value or [])
    if spec.type == "dict":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _input(spec, value):
    """The form's starting value: the raw value for boxes and selects, the edit text otherwise."""
    if spec.type == "bool" or spec.choices:
        return value
    if spec.type == "list":
        return ", ".join(str(item) for item in value or [])
    return shown(spec, value)


@bp.route("/settings")
def settings_page():
    rows = settings.overview(current_user)
    return render_template("admin/settings.html", rows=rows, shown=shown,
                           may_edit=policy.can(current_user, "settings.edit"))


@bp.route("/settings/<key>", methods=["GET", "POST"])
def setting_edit(key: str):
    spec = settings.spec_for(key)
    status, messages = 200, []
    if request.method == "POST":
        form = SettingForm.for_spec(spec)
        # an unchecked box sends nothing: that is "no" for a bool and an empty list for checkboxes
        raw = request.form.getlist("value") if spec.type == "list" and spec.choices else request.form.get("value", "")
        try:
            settings.set(current_user, key, raw)
        except ValidationFailed as exc:
            status, messages = service_error(form, exc)
        else:
            flash(_("已保存设置：%(label)s。", label=spec.display_label()), "success")
            return redirect(url_for(".settings_page", _anchor=key))
    else:
        form = SettingForm.for_spec(spec, data={"value": _input(spec, reader.get(key))})
    return render_template("admin/setting_form.html", spec=spec, form=form, messages=messages,
                           default=shown(spec, spec.default),
                           may_edit=policy.can(current_user, "settings.edit")), status


@bp.route("/settings/<key>/reset", methods=["POST"])
def setting_reset(key: str):
    spec = settings.spec_for(key)
    try:
        settings.reset(current_user, key)
    except ValidationFailed as exc:
        for message in exc.errors.get("value", []):
            flash(message, "danger")
        return redirect(url_for(".setting_edit", key=key))
    flash(_("已恢复默认值：%(label)s。", label=spec.display_label()), "success")
    return redirect(url_for(".settings_page", _anchor=key))
