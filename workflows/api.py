"""/api/v1 for applications: create, read (with history and the caller's allowed actions), act, inbox."""
from __future__ import annotations

from flask import jsonify, request

from registry.api.auth import api_blueprint, api_user, json_body
from registry.routing import page_arg, to_int
from registry.services.errors import ValidationFailed
from workflows import serialize
from workflows.services import applications, inbox

bp = api_blueprint("workflows_api", __name__)


@bp.post("/applications")
def create():
    body = json_body()
    workflow = body.get("workflow")
    if not isinstance(workflow, str) or not workflow:
        raise ValidationFailed({"workflow": ["请指定申报类型（workflow）。"]})
    fields = body.get("fields", {k: v for k, v in body.items() if k not in ("workflow", "enterprise_id")})
    if not isinstance(fields, dict):
        raise ValidationFailed({"fields": ["fields 必须是对象。"]})
    enterprise_id = body.get("enterprise_id")
    if enterprise_id is not None and (not isinstance(enterprise_id, int) or to_int(enterprise_id, minimum=1) is None):
        raise ValidationFailed({"enterprise_id": ["enterprise_id 必须是整数。"]})
    key = (request.headers.get("Idempotency-Key") or "").strip()[:64] or None
    application = applications.start(api_user(), workflow, enterprise_id, fields, idempotency_key=key)
    return jsonify(serialize.detail(application, api_user())), 201


@bp.get("/applications/<int:application_id>")
def show(application_id: int):
    application = applications.get(api_user(), application_id)
    return jsonify(serialize.detail(application, api_user()))


@bp.post("/applications/<int:application_id>/actions")
def act(application_id: int):
    body = request.get_json(silent=True)
    errors = _action_errors(body) if isinstance(body, dict) else {"body": []}
    if errors:
        # A missing or foreign application is a 404 whatever the body (ids cannot be probed); with a good body the
        # engine's own check answers that, so the application is not read here first.
        applications.get(api_user(), application_id)
        json_body()  # 413 / 422 for a body that is no JSON object
        raise ValidationFailed(errors)
    outcome = applications.act(api_user(), application_id, body["action"], reason=body.get("reason"),
                               version=body["version"], payload=body.get("payload", {}))
    # The engine's commit keeps the application as written (``outcome.application``) and the caller loaded: the
    # visibility check reads nothing, the answer reads only the history.
    return jsonify(serialize.detail(applications.get(api_user(), outcome.application_id), api_user()))


def _action_errors(body: dict) -> dict:
    action, version, reason = body.get("action"), body.get("version"), body.get("reason")
    errors = {}
    if not isinstance(action, str) or not action:
        errors["action"] = ["请指定操作（action）。"]
    if not isinstance(version, int) or to_int(version, minimum=0) is None:
        errors["version"] = ["请提供当前版本号（version，整数）。"]
    if reason is not None and not isinstance(reason, str):
        errors["reason"] = ["reason 必须是字符串。"]
    if not isinstance(body.get("payload", {}), dict):
        errors["payload"] = ["payload 必须是对象。"]
    return errors


@bp.get("/inbox")
def inbox_list():
    page = page_arg()
    items, total = inbox.inbox(api_user(), inbox.Filters(workflow=request.args.get("workflow") or None,
                                                          stage=request.args.get("stage") or None,
                                                          overdue_only=request.args.get("overdue") == "1"),
                               page=page, per_page=50)
    return jsonify({"total": total, "page": page,
                    "items": [{**serialize.summary(i["application"]), "overdue": i["overdue"],
                               "working_days_left": i["working_days_left"]} for i in items]})
