"""Administrator pages (系统管理): accounts here; catalogues and settings in their own modules on this blueprint.

Administrators and bureau staff open these pages; what each may change is decided by the services
(``registry.services.accounts``, ``catalogues``, ``settings``), whose refusals become 403 / form errors.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry import policy
from registry.admin.forms import ResetPasswordForm, TokenForm, UserCreateForm, UserEditForm, UserSearchForm
from registry.forms.specs import service_error
from registry.auth.tokens import is_live
from registry.services import accounts, api_tokens
from registry.services.errors import Conflict, ValidationFailed
from registry.vocab import USER_ROLES

bp = Blueprint("admin", __name__, url_prefix="/admin")
LIST_LIMIT = 500


@bp.before_request
def _staff_only():
    """Anonymous visitors sign in first; roles other than administrator and bureau get 403 on every page."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not policy.can(current_user, "admin.pages"):
        abort(403)
    return None


@bp.after_request
def _no_store(response):
    # account pages show tokens and personal data: keep them out of shared caches and the back-button cache
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/")
def index():
    return redirect(url_for(".users"))


@bp.route("/users")
def users():
    form = UserSearchForm(request.args)
    role = form.role.data if form.role.data in USER_ROLES else None
    rows = accounts.list_users(current_user, role=role or None, search=form.q.data, limit=LIST_LIMIT + 1)
    return render_template("admin/users.html", form=form, rows=rows[:LIST_LIMIT], capped=len(rows) > LIST_LIMIT,
                           may_create=policy.can(current_user, "user.create"))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    roles = policy.creatable_roles(current_user)
    form = UserCreateForm(roles=roles)
    status, messages = 200, []
    if request.method == "POST":
        try:
            user = accounts.register_user(
                current_user, email=form.email.data or "", role=form.role.data or "",
                password=form.password.data or "", display_name=form.display_name.data,
                enterprise_uscc=form.enterprise.data if form.role.data == "enterprise" else None,
                jurisdiction_code=form.jurisdiction.data if form.role.data == "town" else None,
                phone=form.phone.data,
                body_code=form.certification_body.data if form.role.data == "certifier" else None)
        except (ValidationFailed, Conflict) as exc:
            status, messages = service_error(form, exc)
        else:
            flash(_("已创建用户 %(email)s。", email=user.email), "success")
            return redirect(url_for(".user", user_id=user.id))
    return render_template("admin/user_new.html", form=form, messages=messages), status


def _user_page(user, edit_form=None, password_form=None, token_form=None, messages=(), token=None, status=200):
    is_admin = policy.can(current_user, "user.edit")
    if is_admin and edit_form is None:
        edit_form = UserEditForm(town=user.role == "town",
                                 keep_jurisdiction=user.jurisdiction.code if user.jurisdiction else None,
                                 data={"display_name": user.display_name, "phone": user.phone or "",
                                       "jurisdiction": user.jurisdiction.code if user.jurisdiction else ""})
    return render_template("admin/user.html", user=user, is_admin=is_admin, edit_form=edit_form,
                           password_form=password_form or ResetPasswordForm(formdata=None),
                           token_form=token_form or TokenForm(formdata=None), messages=messages,
                           token=token, tokens=api_tokens.list_tokens(current_user, user.id) if is_admin else [],
                           is_live=is_live), status


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    return _user_page(accounts.get_user(current_user, user_id))


@bp.route("/users/<int:user_id>/edit", methods=["POST"])
def edit_user(user_id: int):
    target = accounts.get_user(current_user, user_id)
    form = UserEditForm(town=target.role == "town",
                        keep_jurisdiction=target.jurisdiction.code if target.jurisdiction else None)
    try:
        accounts.update_user(current_user, user_id, form.display_name.data or "", form.phone.data,
                             form.jurisdiction.data if "jurisdiction" in form else None)
    except (ValidationFailed, Conflict) as exc:
        status, messages = service_error(form, exc)
        return _user_page(accounts.get_user(current_user, user_id), edit_form=form, messages=messages, status=status)
    flash(_("已保存用户信息。"), "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def set_active(user_id: int):
    active = request.form.get("active") == "1"
    target = accounts.set_active(current_user, user_id, active)
    flash(_("已启用 %(email)s。", email=target.email) if active
          else _("已停用 %(email)s，其登录会话已全部结束。", email=target.email), "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    form = ResetPasswordForm()
    try:
        accounts.reset_password(current_user, user_id, form.new_password.data or "")
    except ValidationFailed as exc:
        status, messages = service_error(form, exc)
        return _user_page(accounts.get_user(current_user, user_id), password_form=form, messages=messages,
                          status=status)
    flash(_("已重置密码，该用户需用新密码重新登录。"), "success")
    return redirect(url_for(".user", user_id=user_id))


@bp.route("/users/<int:user_id>/token", methods=["POST"])
def issue_token(user_id: int):
    """Issue a token and show it in this response only: it is never stored in plain text nor put in a redirect."""
    form = TokenForm()
    try:
        token = api_tokens.issue(current_user, user_id, form.label.data, form.days.data)
    except ValidationFailed as exc:
        status, messages = service_error(form, exc)
        return _user_page(accounts.get_user(current_user, user_id), token_form=form, messages=messages,
                          status=status)
    return _user_page(accounts.get_user(current_user, user_id), token=token)


from registry.admin import catalogue_views, holiday_views, mail_views, outbox_views, settings_views  # noqa: E402,F401  (their routes join this blueprint)
from registry.audit import views as audit_views  # noqa: E402,F401  (安全审计 joins this blueprint)
