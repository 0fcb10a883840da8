"""Forms for an enterprise's quality records, one set of views for all seven kinds (标准 ... 质量安全事件).

The form class is generated from the kind's field specs; the services coerce, validate and refuse.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry import policy
from registry.enterprises.display import granted_by_workflow
from registry.enterprises.forms import raw_input, record_form_class, service_error
from registry.enterprises.views import bp
from registry.i18n import N_
from registry.records.fields import display
from registry.services.enterprises import get_enterprise
from registry.services.errors import Conflict, Forbidden, ValidationFailed
from registry.services.records import (create_record, delete_record, get_record, kind_for, record_values,
                                       update_record)


def _editable(enterprise_id: int, slug: str):
    """(kind, enterprise) when the user may change such records here. Raises NotFound, Forbidden."""
    kind = kind_for(slug)
    enterprise = get_enterprise(current_user, enterprise_id)
    if not policy.can(current_user, "record.edit", (enterprise, kind)):
        raise Forbidden(_("您没有修改该企业%(kind)s的权限。", kind=kind.label))
    return kind, enterprise


def _back(enterprise_id: int, slug: str) -> str:
    return url_for(".show", enterprise_id=enterprise_id, _anchor=slug)


def _render(kind, enterprise, form, record, messages, status):
    derived = []
    if record is not None:  # fields the server derives (a standard's level, a patent's type): shown, not asked
        values = record_values(kind, record)
        derived = [(spec.label, display(spec, values.get(spec.name))) for spec in kind.fields if spec.readonly]
    return render_template("enterprises/record_form.html", kind=kind, enterprise=enterprise, form=form,
                           record=record, derived=derived, messages=messages,
                           back=_back(enterprise.id, kind.slug)), status


@bp.route("/<int:enterprise_id>/<slug>/new", methods=["GET", "POST"])
@login_required
def new_record(enterprise_id: int, slug: str):
    kind, enterprise = _editable(enterprise_id, slug)
    form = record_form_class(kind)()
    status, messages = 200, []
    if request.method == "POST":
        try:
            create_record(current_user, enterprise.id, kind.slug, raw_input(form, form.field_names()))
        except (ValidationFailed, Conflict) as exc:
            status, messages = service_error(form, exc)
        else:
            flash(_("已新增一条%(kind)s。", kind=kind.label), "success")
            return redirect(_back(enterprise.id, kind.slug))
    return _render(kind, enterprise, form, None, messages, status)


GRANTED = N_("该荣誉由评审流程授予，不能在此修改或删除；如需撤销，请在评审申报页面办理撤销。")


@bp.route("/<int:enterprise_id>/<slug>/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit_record(enterprise_id: int, slug: str, record_id: int):
    kind, enterprise = _editable(enterprise_id, slug)
    record = get_record(current_user, enterprise.id, kind.slug, record_id)
    if granted_by_workflow(record):
        flash(_(GRANTED), "danger")
        return redirect(_back(enterprise.id, kind.slug))
    status, messages = 200, []
    if request.method == "POST":
        form = record_form_class(kind)()
        try:
            update_record(current_user, enterprise.id, kind.slug, record_id, raw_input(form, form.field_names()))
        except (ValidationFailed, Conflict) as exc:
            status, messages = service_error(form, exc)
        else:
            flash(_("%(kind)s已保存。", kind=kind.label), "success")
            return redirect(_back(enterprise.id, kind.slug))
    else:
        form = record_form_class(kind)(data=record_values(kind, record))
    return _render(kind, enterprise, form, record, messages, status)


@bp.route("/<int:enterprise_id>/<slug>/<int:record_id>/delete", methods=["POST"])
@login_required
def delete_record_view(enterprise_id: int, slug: str, record_id: int):
    kind = kind_for(slug)
    if granted_by_workflow(get_record(current_user, enterprise_id, kind.slug, record_id)):
        flash(_(GRANTED), "danger")
        return redirect(_back(enterprise_id, kind.slug))
    delete_record(current_user, enterprise_id, kind.slug, record_id)
    flash(_("已删除一条%(kind)s。", kind=kind.label), "success")
    return redirect(_back(enterprise_id, kind.slug))
