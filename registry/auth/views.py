"""Sign-in, sign-out, password change and language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from registry.auth.forms import ChangePasswordForm, LoginForm
from registry.auth.sessions import close_session, open_session
from registry.extensions import db, limiter
from registry.services import accounts
from registry.services.errors import ValidationFailed

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a local path is followed after sign-in (no scheme, no host, no '//' or backslash tricks)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _account_key() -> str:
    return "login-account:" + accounts.normalise_email(request.form.get("email", ""))


def _address_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ADDRESS"]


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("邮箱或密码不正确。"), "danger")
        else:
            open_session(user, request.headers.get("User-Agent"))
            db.session.commit()
            login_user(user)
            return redirect(safe_next(form.next.data) or url_for("home.index"))
    return render_template("auth/login.html", form=form), (200 if request.method == "GET" else 200)


def _clear_session_keeping_language() -> None:
    """End the signed-in state; the chosen language is a browser preference and survives sign-out."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/logout", methods=["POST"])
def logout():
    close_session(current_user if current_user.is_authenticated else None)
    logout_user()
    _clear_session_keeping_language()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                getattr(form, field).errors = list(messages)
        else:
            logout_user()
            _clear_session_keeping_language()
            flash(_("密码已修改,请重新登录。"), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


from registry.auth import token_views  # noqa: E402,F401  (its routes join this blueprint)
