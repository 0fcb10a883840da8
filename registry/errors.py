"""Error pages and JSON errors: domain errors map to 403/404/409/422; nothing leaks a stack trace."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from registry.services.errors import Conflict, DomainError, ValidationFailed

log = logging.getLogger(__name__)

_TITLES = {400: _l("请求无效"), 401: _l("请先登录"), 403: _l("没有权限"), 404: _l("未找到"),
           405: _l("不支持的操作"), 409: _l("数据已变更或重复"), 413: _l("文件过大"), 422: _l("输入有误"),
           429: _l("操作过于频繁，请稍后再试"), 500: _l("系统错误")}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str | None = None, errors: dict | None = None, **extra):
    message = message or str(_TITLES.get(status, _l("错误")))
    if wants_json():
        body = {"error": message, **extra}
        if errors is not None:
            body["errors"] = errors
        return jsonify(body), status
    return render_template("errors/error.html", status=status, title=str(_TITLES.get(status, _l("错误"))),
                           message=message, errors=errors, **extra), status


def too_large(hint: str | None = None):
    """413: the page names the limit and leads back to the form the file was chosen on."""
    from flask_babel import gettext

    from registry.upload_rules import limit_bytes, limit_text

    message = gettext("文件超过了 %(limit)s 的上限，没有上传。", limit=limit_text()) + (
        hint or gettext("请压缩或拆分后重新选择文件上传。"))
    if wants_json():
        return error_response(413, message, limit_bytes=limit_bytes())
    back = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return render_template("errors/error.html", status=413, title=str(_TITLES[413]), message=message,
                           errors=None, back_url=back, back_label=gettext("返回表单重新选择文件")), 413


def register(app: Flask) -> None:
    @app.errorhandler(ValidationFailed)
    def _validation(exc: ValidationFailed):
        return error_response(422, exc.message, errors=exc.errors)

    @app.errorhandler(Conflict)
    def _conflict(exc: Conflict):
        extra = {"existing_id": exc.existing_id} if exc.existing_id else {}
        errors = {exc.field: [exc.message]} if exc.field else None
        return error_response(409, exc.message, errors=errors, **extra)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        return error_response(exc.status, exc.message)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        return error_response(400, "表单已过期或缺少安全令牌（CSRF），请刷新页面后重试。")

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc):
        return too_large()

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        message = exc.description if exc.code not in _TITLES or exc.code == 429 else None
        return error_response(exc.code or 500, None if exc.code in (404, 405, 413) else message)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        from registry.extensions import db

        db.session.rollback()
        return error_response(500, request_id=g.get("request_id"))  # the page shows it too: users can quote it
