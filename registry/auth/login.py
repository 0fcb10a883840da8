"""Flask-Login wiring: users come back only through a live server-side session."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from registry.auth.sessions import load_session_user
from registry.extensions import login_manager


def configure_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = None  # the server-side session token does this job
    login_manager.user_loader(load_session_user)
