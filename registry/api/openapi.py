"""The OpenAPI 3.1 document served at /api/v1/openapi.json, assembled from each area's contribution.

How an area documents its /api/v1 paths (one line here, the rest in its own module):

1. Write a function that returns ``{"paths": {...}, "schemas": {...}, "tags": [...]}`` (``schemas`` and
   ``tags`` optional). Path keys are relative to /api/v1 and use OpenAPI braces: ``"/applications/{application_id}"``.
   Build schemas from your own specs where you have them (see ``schema_from_fields``) so the document cannot
   drift from the rules, and reuse the helpers below for the bearer scheme and the error answers::

       from registry.api import openapi as oa

       def contribute() -> dict:
           return {"tags": [{"name": "applications", "description": "申报"}],
                   "schemas": {"Application": {...}},
                   "paths": {"/applications/{application_id}": {"get": {
                       "tags": ["applications"], "summary": "...",
                       "parameters": [oa.path_id("application_id")],
                       "responses": {"200": oa.json_response(oa.ref("Application")), **oa.errors(401, 404)}}}}}

2. Append ``"your.module:contribute"`` to ``CONTRIBUTORS``.

``tests/api/test_openapi.py`` fails when a rule under /api/v1 (or one of its methods) is missing from the document,
and validates the whole document against the OpenAPI 3.1 schema. A path or schema name contributed twice raises.
"""
from __future__ import annotations

from importlib import import_module

from registry.records.fields import TEXT_MAX_LENGTH, FieldSpec

# "module:function" of every area's contribution (areas append one line each).
CONTRIBUTORS: list[str] = [
    "registry.api.registry_openapi:contribute",
    "registry.targets.api_doc:contribute",
    "workflows.api_doc:contribute",
]

ERROR_DESCRIPTIONS = {
    401: "缺少或无效的 API 令牌", 403: "无权执行该操作（如只读角色写入）", 404: "对象不存在或不在您的权限范围内",
    409: "重复记录（existing_id 指向已有记录）或版本冲突", 422: "输入有误，errors 按字段列出原因",
}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def path_id(name: str, description: str = "") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1},
            "description": description or name}


def json_response(schema: dict, description: str = "成功") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def json_request(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict:
    """Response entries for the given error statuses, all with the shared Error schema."""
    return {str(code): json_response(ref("Error"), ERROR_DESCRIPTIONS.get(code, "错误")) for code in codes}


_TYPES = {
    "str": {"type": "string"}, "text": {"type": "string"}, "date": {"type": "string", "format": "date"},
    "int": {"type": "integer"}, "bool": {"type": "boolean"}, "choice": {"type": "string"},
}


def field_schema(spec: FieldSpec) -> dict:
    """The JSON schema of one field, from its spec (type, length, bounds, choices, label, hint)."""
    schema = dict(_TYPES[spec.type])
    if spec.type in ("str", "text"):
        schema["maxLength"] = spec.max_length or TEXT_MAX_LENGTH
    if spec.minimum is not None:
        schema["minimum"] = spec.minimum
    if spec.maximum is not None:
        schema["maximum"] = spec.maximum
    if spec.choices is not None:
        schema["enum"] = list(spec.choices) + ([None] if not spec.required and not spec.readonly else [])
        schema["description"] = "; ".join(f"{code}={label}" for code, label in spec.choices.items())
    schema["title"] = str(spec.label)
    if spec.hint:
        schema["description"] = (schema.get("description", "") + " " + str(spec.hint)).strip()
    if spec.readonly:
        schema["readOnly"] = True
    elif not spec.required and spec.type != "bool":
        schema["type"] = [schema["type"], "null"]
    return schema


def schema_from_fields(fields: tuple[FieldSpec, ...], *, partial: bool = False, extra: dict | None = None) -> dict:
    """An object schema with one property per spec; ``partial`` (PATCH) drops ``required``."""
    properties = {spec.name: field_schema(spec) for spec in fields}
    properties.update(extra or {})
    schema: dict = {"type": "object", "properties": properties}
    required = [spec.name for spec in fields if spec.required and not spec.readonly]
    if required and not partial:
        schema["required"] = required
    return schema


def _base() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "质量强市登记与评审平台 API", "version": "1.0.0",
                 "description": "临海市市场监督管理局质量强市登记与评审平台的 JSON API。请求头 "
                                "`Authorization: Bearer <token>`（令牌用 `flask --app registry users token EMAIL` 生成）。"
                                "超出权限范围的对象一律返回 404。"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "tags": [],
        "paths": {},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "API 令牌（`flask --app registry users token EMAIL`）"}},
            "schemas": {"Error": {
                "type": "object", "required": ["error"],
                "properties": {
                    "error": {"type": "string", "description": "一句话说明（中文）"},
                    "errors": {"type": "object", "description": "按字段列出的错误信息",
                               "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                    "existing_id": {"type": "integer", "description": "409 重复时：已有记录的 id"},
                }}},
        },
    }


def _merge(into: dict, part: dict, what: str) -> None:
    for key, value in part.items():
        if key in into:
            raise ValueError(f"OpenAPI {what} {key!r} contributed twice")
        into[key] = value


def document() -> dict:
    """The whole document: the base plus every contributor's paths, schemas and tags."""
    doc = _base()
    for dotted in CONTRIBUTORS:
        module, _, function = dotted.partition(":")
        part = getattr(import_module(module), function)()
        _merge(doc["paths"], part.get("paths", {}), "path")
        _merge(doc["components"]["schemas"], part.get("schemas", {}), "schema")
        doc["tags"].extend(part.get("tags", []))
    return doc
