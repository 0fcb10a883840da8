"""Bearer-token authentication for /api/v1 blueprints (no cookies, so no CSRF).

Usage in any area's API blueprint::

    bp = api_blueprint("workflows_api", __name__)

    @bp.get("/applications/<int:application_id>")
    def show(application_id):
        user = api_user()
        ...
"""
from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request

from registry.auth.tokens import user_for_token
from registry.extensions import csrf
from registry.models import User

API_PREFIX = "/api/v1"


def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        response = jsonify({"error": "需要有效的 API 令牌（Authorization: Bearer <token>）。"})
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="registry"'
        abort(response)
    g.api_user = user


def api_blueprint(name: str, import_name: str, *, public: tuple[str, ...] = ()) -> Blueprint:
    """A blueprint under /api/v1 whose every view requires a bearer token (except endpoints named in ``public``)."""
    bp = Blueprint(name, import_name, url_prefix=API_PREFIX)
    csrf.exempt(bp)

    @bp.before_request
    def _require_token():
        if request.endpoint and request.endpoint.split(".")[-1] in public:
            return
        _authenticate()

    return bp


def api_user() -> User:
    """The user the request's bearer token belongs to."""
    return g.api_user


def json_body() -> dict:
    """The request's JSON object, or a 422 naming the problem (never a 500 on bad JSON)."""
    data = request.get_json(silent=True)  # bounded in size and depth, and cleaned (registry/edge.py)
    if not isinstance(data, dict):
        status, message = getattr(request, "json_problem", None) or (422, "请求体必须是 JSON 对象。")
        response = jsonify({"error": message, "errors": {"body": [message]}})
        response.status_code = 413 if status == 413 else 422
        abort(response)
    return data
