"""Sign-in, sign-out, password change and language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from registry.auth.forms import ChangePasswordForm, LoginForm
from registry.auth import throttle
from registry.auth.sessions import close_session, open_session
from registry.extensions import db
from registry.services import accounts
from registry.services.errors import ValidationFailed
from registry.timefmt import local_time

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


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        email, address = accounts.normalise_email(form.email.data), request.remote_addr or ""
        blocked = throttle.check(email, address)
        if blocked is not None:
            return _too_many_attempts(form, blocked)
        user = accounts.authenticate(email, form.password.data)
        if user is None:
            throttle.failed(email, address)
            flash(_("邮箱或密码不正确。"), "danger")
        else:
            throttle.succeeded(email, address)
            open_session(user, request.headers.get("User-Agent"))
            db.session.commit()
            login_user(user)
            if user.must_change_password:
                return redirect(url_for(".change_password"))
            return redirect(safe_next(form.next.data) or url_for("home.index"))
    return render_template("auth/login.html", form=form)


def _too_many_attempts(form: LoginForm, blocked: throttle.Blocked):
    """429: the sign-in page again, saying in the user's language when to try again (Linhai time)."""
    minutes = max(1, -(-blocked.seconds // 60))
    message = _("登录失败次数过多，请在 %(time)s 之后再试（约 %(minutes)s 分钟）。忘记密码请联系系统管理员。",
                time=local_time(blocked.until, "%H:%M"), minutes=minutes)
    form.password.data = ""
    response = make_response(render_template("auth/login.html", form=form, blocked=message), 429)
    response.headers["Retry-After"] = str(blocked.seconds)
    return response


# While a password someone else chose is in use, only these pages open (the rest redirect to the change page).
_OPEN_WHILE_PASSWORD_MUST_CHANGE = {"auth.change_password", "auth.logout", "auth.set_language", "auth.login",
                                    "static"}


@bp.before_app_request
def _password_must_change():
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _OPEN_WHILE_PASSWORD_MUST_CHANGE and not request.path.startswith("/api/")):
        return redirect(url_for("auth.change_password"))
    return None


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
    status = 200
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current_password.data, form.new_password.data)
        except ValidationFailed as exc:
            db.session.rollback()
            status = 422
            for field, messages in exc.errors.items():
                getattr(form, field).errors = list(messages)
        else:
            logout_user()
            _clear_session_keeping_language()
            flash(_("密码已修改，请重新登录。"), "success")
            return redirect(url_for("auth.login"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/change_password.html", form=form, forced=current_user.must_change_password), status


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.form.get("next")) or url_for("home.index"))


from registry.auth import token_views  # noqa: E402,F401  (its routes join this blueprint)
