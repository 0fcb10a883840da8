"""OpenAPI paths and schemas of the applications API (``workflows.api``)."""
from __future__ import annotations

from registry.api import openapi as oa

_STEP = {"type": "object", "properties": {"stage": {"type": ["string", "null"]}, "status": {"type": ["string", "null"]}}}


def contribute() -> dict:
    summary = {
        "id": {"type": "integer"}, "workflow": {"type": "string", "description": "pinzibiao, quality_award, ..."},
        "definition_version": {"type": "integer", "description": "申请创建时的流程定义版本，之后不变"},
        "enterprise_id": {"type": "integer"}, "title": {"type": "string"},
        "stage": {"type": "string"}, "stage_label": {"type": "string"},
        "status": {"type": "string", "description": "draft, in_progress, returned, done, rejected, withdrawn, ..."},
        "version": {"type": "integer", "description": "办理时须回传；已变化时返回 409“已被他人处理”"},
        "due_at": {"type": ["string", "null"], "format": "date-time", "description": "按工作日计算的办理期限"},
        "paused": {"type": "boolean", "description": "退回补正期间计时暂停"}}
    schemas = {
        "ApplicationSummary": {"type": "object", "properties": summary},
        "Application": {"type": "object", "properties": {
            **summary, "data": {"type": "object"}, "standard_id": {"type": ["integer", "null"]},
            "certification_id": {"type": ["integer", "null"]},
            "history": {"type": "array", "items": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "action": {"type": "string"}, "actor_id": {"type": ["integer", "null"]},
                "at": {"type": "string", "format": "date-time"}, "from": _STEP, "to": _STEP,
                "reason": {"type": ["string", "null"]}}}},
            "allowed_actions": {"type": "array", "description": "调用者此刻可执行的操作", "items": {
                "type": "object", "properties": {"action": {"type": "string"}, "label": {"type": "string"},
                                                 "needs_reason": {"type": "boolean"},
                                                 "fields": {"type": "array", "items": {"type": "string"}}}}}}},
        "ApplicationCreate": {"type": "object", "required": ["workflow"], "properties": {
            "workflow": {"type": "string"}, "enterprise_id": {"type": "integer", "description": "仅市局人员代企业创建时使用"},
            "fields": {"type": "object", "description": "申请内容，如 product、standard_proposal、self_assessment、standard_id"}}},
        "ApplicationAction": {"type": "object", "required": ["action", "version"], "properties": {
            "action": {"type": "string"}, "version": {"type": "integer"},
            "reason": {"type": "string", "description": "退回、不予通过、撤回等操作必填"},
            "payload": {"type": "object", "description": "操作所需字段，如登记证书的 cert_number、issuer、issued_on"}}},
        "Inbox": {"type": "object", "properties": {
            "total": {"type": "integer"}, "page": {"type": "integer"},
            "items": {"type": "array", "items": {"allOf": [oa.ref("ApplicationSummary"), {"type": "object", "properties": {
                "overdue": {"type": "boolean"}, "working_days_left": {"type": ["integer", "null"]}}}]}}}},
    }
    tag = ["applications"]
    app_id = oa.path_id("application_id", "申请编号")
    paths = {
        "/applications": {"post": {
            "tags": tag, "summary": "创建申请草稿（Idempotency-Key 请求头可防重复提交）",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}],
            "requestBody": oa.json_request(oa.ref("ApplicationCreate")),
            "responses": {"201": oa.json_response(oa.ref("Application"), "已创建"), **oa.errors(401, 403, 404, 422)}}},
        "/applications/{application_id}": {"get": {
            "tags": tag, "summary": "申请详情：阶段、状态、版本、期限、流转记录、可执行操作", "parameters": [app_id],
            "responses": {"200": oa.json_response(oa.ref("Application")), **oa.errors(401, 404)}}},
        "/applications/{application_id}/actions": {"post": {
            "tags": tag, "summary": "办理一个操作（经流程引擎；同一时刻只有一人成功，其余 409）", "parameters": [app_id],
            "requestBody": oa.json_request(oa.ref("ApplicationAction")),
            "responses": {"200": oa.json_response(oa.ref("Application")), **oa.errors(401, 403, 404, 409, 422)}}},
        "/inbox": {"get": {
            "tags": tag, "summary": "待办：按角色与辖区，按期限排序",
            "parameters": [{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                           for n in ("workflow", "stage", "overdue", "page")],
            "responses": {"200": oa.json_response(oa.ref("Inbox")), **oa.errors(401)}}},
    }
    return {"tags": [{"name": "applications", "description": "申报流程"}], "schemas": schemas, "paths": paths}
