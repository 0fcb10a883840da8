"""Forms for the enterprise master record (企业主档): create, edit, delete."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from registry import policy
from registry.enterprises.forms import EnterpriseForm, raw_input, service_error
from registry.enterprises.views import bp
from registry.services.enterprises import (ENTERPRISE_FIELDS, create_enterprise, delete_enterprise, form_values,
                                           get_enterprise, update_enterprise)
from registry.services.errors import Conflict, Forbidden, ValidationFailed

FIELD_NAMES = tuple(spec.name for spec in ENTERPRISE_FIELDS)


def _version(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Register an enterprise (bureau staff)."""
    if not policy.can(current_user, "enterprise.create"):
        abort(403)
    form = EnterpriseForm(may_override=policy.can(current_user, "enterprise.override_uscc"))
    status, messages = 200, []
    if request.method == "POST":
        try:
            enterprise = create_enterprise(current_user, raw_input(form, FIELD_NAMES))
        except (ValidationFailed, Conflict) as exc:
            status, messages = service_error(form, exc)
        else:
            flash(_("已新增企业“%(name)s”。", name=enterprise.name), "success")
            return redirect(url_for(".show", enterprise_id=enterprise.id))
    return render_template("enterprises/form.html", form=form, enterprise=None, messages=messages,
                           locked=False), status


@bp.route("/<int:enterprise_id>/edit", methods=["GET", "POST"])
@login_required
def edit(enterprise_id: int):
    """Change the master record. Enterprise accounts cannot change their credit code or jurisdiction."""
    enterprise = get_enterprise(current_user, enterprise_id)
    if not policy.can(current_user, "enterprise.edit", enterprise):
        raise Forbidden(_("您没有修改该企业信息的权限。"))
    options = {"keep_jurisdiction": enterprise.jurisdiction.code, "keep_industry": enterprise.industry.code,
               "may_override": policy.can(current_user, "enterprise.override_uscc")}
    status, messages = 200, []
    if request.method == "POST":
        form = EnterpriseForm(**options)
        try:
            update_enterprise(current_user, enterprise.id, raw_input(form, FIELD_NAMES),
                              expected_version=_version(form.version.data))
        except (ValidationFailed, Conflict) as exc:
            status, messages = service_error(form, exc)
            if isinstance(exc, Conflict) and not exc.field:  # changed meanwhile: the next save may overwrite
                form.version.data = str(enterprise.version)
        else:
            flash(_("企业信息已保存。"), "success")
            return redirect(url_for(".show", enterprise_id=enterprise_id))
    else:
        form = EnterpriseForm(data=form_values(enterprise), **options)
    return render_template("enterprises/form.html", form=form, enterprise=enterprise, messages=messages,
                           locked=not policy.can(current_user, "enterprise.create")), status


@bp.route("/<int:enterprise_id>/delete", methods=["POST"])
@login_required
def delete(enterprise_id: int):
    """Delete the enterprise and all its records (bureau staff; the page asks for confirmation first)."""
    enterprise = get_enterprise(current_user, enterprise_id)
    name = enterprise.name
    delete_enterprise(current_user, enterprise_id)
    flash(_("已删除企业“%(name)s”及其全部记录。", name=name), "success")
    return redirect(url_for(".index"))
