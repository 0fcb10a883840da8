"""Catalogue pages: jurisdictions (镇街与开发区) and industries (产业) listed, added, edited and retired.

Entries are never deleted (enterprises and accounts point at them): retiring clears ``active``, which takes the
entry out of the selects while records that carry it keep it.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.admin.views import bp
from registry.extensions import db
from registry.forms.specs import form_class_for, raw_input, service_error
from registry.records.fields import display
from registry.services.catalogues import CATALOGUES, catalogue, list_entries, save_entry
from registry.services.errors import Conflict, NotFound, ValidationFailed


def _form_class(name: str):
    _model, _label, fields = catalogue(name)
    return form_class_for(f"catalogue_{name}", fields)


def _values(entry, fields) -> dict:
    return {spec.name: getattr(entry, spec.name) for spec in fields}


@bp.route("/catalogues/")
def catalogues():
    return redirect(url_for(".catalogue_list", name=next(iter(CATALOGUES))))


@bp.route("/catalogues/<name>")
def catalogue_list(name: str):
    _model, label, fields = catalogue(name)
    rows = [(entry, [(spec, display(spec, getattr(entry, spec.name))) for spec in fields])
            for entry in list_entries(current_user, name)]
    return render_template("admin/catalogue.html", name=name, label=label, fields=fields, rows=rows,
                           tabs=[(key, value[1]) for key, value in CATALOGUES.items()])


@bp.route("/catalogues/<name>/new", methods=["GET", "POST"])
@bp.route("/catalogues/<name>/<int:entry_id>/edit", methods=["GET", "POST"])
def catalogue_entry(name: str, entry_id: int | None = None):
    model, label, fields = catalogue(name)
    entry = None
    if entry_id is not None:
        entry = db.session.get(model, entry_id)
        if entry is None:
            raise NotFound(_("未找到该目录项。"))
    list_entries(current_user, name)  # permission check before showing anything
    status, messages = 200, []
    if request.method == "POST":
        form = _form_class(name)()
        try:
            saved = save_entry(current_user, name, raw_input(form, form.field_names()), entry_id)
        except (ValidationFailed, Conflict) as exc:
            status, messages = service_error(form, exc)
        else:
            flash(_("已保存：%(code)s %(name)s。", code=saved.code, name=saved.name), "success")
            return redirect(url_for(".catalogue_list", name=name))
    else:
        form = _form_class(name)(data=_values(entry, fields) if entry else {"active": True})
    return render_template("admin/catalogue_form.html", name=name, label=label, form=form, entry=entry,
                           messages=messages), status


@bp.route("/catalogues/<name>/<int:entry_id>/active", methods=["POST"])
def catalogue_active(name: str, entry_id: int):
    """Retire (or restore) an entry through ``save_entry`` with its other values unchanged."""
    model, _label, fields = catalogue(name)
    entry = db.session.get(model, entry_id)
    if entry is None:
        raise NotFound(_("未找到该目录项。"))
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):  # the page's buttons send 0 or 1; anything else is refused and changes nothing
        abort(400)
    data = {spec.name: _as_input(getattr(entry, spec.name)) for spec in fields}
    data["active"] = wanted
    saved = save_entry(current_user, name, data, entry_id)
    flash(_("已恢复启用：%(name)s。", name=saved.name) if saved.active else _("已停用：%(name)s。", name=saved.name),
          "success")
    return redirect(url_for(".catalogue_list", name=name))


def _as_input(value) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)
