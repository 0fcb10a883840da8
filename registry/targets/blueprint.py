"""The targets blueprint; registering it installs the version-counter hooks on the app's session class."""
from __future__ import annotations

from flask import Blueprint
from flask_sqlalchemy.session import Session as FlaskSession

bp = Blueprint("targets", __name__, url_prefix="/targets")


@bp.record_once
def _install_version_hooks(_state) -> None:
    from registry.targets import versions

    versions.install(FlaskSession)
