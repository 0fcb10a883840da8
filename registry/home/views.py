"""Landing page after sign-in, and the health endpoint."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, send_from_directory, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from registry.extensions import db
from registry.home.summary import home_summary
from registry.services.health import heartbeat_age_seconds

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index():
    return render_template("home/index.html", summary=home_summary(current_user))


@bp.route("/healthz")
def healthz():
    db.session.execute(text("SELECT 1"))
    age = heartbeat_age_seconds()
    return jsonify({"database": "ok", "worker_heartbeat_age_seconds": age})


@bp.route("/favicon.ico")
def favicon():
    """The site icon, for clients that ask the conventional address (pages name it with <link rel=icon>)."""
    return send_from_directory(current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)
