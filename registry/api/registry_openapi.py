"""OpenAPI paths and schemas of the registry API (``registry.api.registry_api``), built from the FieldSpecs.

The enterprise and record schemas come from ``ENTERPRISE_FIELDS`` and each ``RecordKind.fields``, so a changed
rule (length, choice, required) changes the document too.
"""
from __future__ import annotations

from registry.api import openapi as oa
from registry.records.kinds import KINDS, STANDARDS, RecordKind
from registry.services.enterprises import ENTERPRISE_FIELDS, SORTS

_ID = {"type": "integer", "readOnly": True}
_VERSION_IN = {"type": "integer", "description": "读取时得到的版本号；与当前版本不一致时返回 409（乐观锁）"}


def schema_name(kind: RecordKind) -> str:
    return "Standard" if kind is STANDARDS else kind.model.__name__


def _kind_schemas(kind: RecordKind) -> dict:
    name = schema_name(kind)
    extra = {"id": _ID, "enterprise_id": _ID}
    if kind.slug == "certifications":
        extra["effective_status"] = {"type": "string", "readOnly": True,
                                     "description": "按今天计算的证书状态（过期由有效期自动判断）"}
    if kind is STANDARDS:
        extra["standard_id"] = {**_ID, "description": "同一标准由多家企业起草时共享"}
    return {
        name: oa.schema_from_fields(kind.fields, extra=extra),
        f"{name}Create": oa.schema_from_fields(kind.fields),
        f"{name}Patch": oa.schema_from_fields(kind.fields, partial=True),
        f"{name}List": {"type": "object", "required": ["items", "total"],
                        "properties": {"items": {"type": "array", "items": oa.ref(name)}, "total": {"type": "integer"}}},
    }


def _enterprise_schemas() -> dict:
    extra = {"id": _ID, "version": {**_ID, "description": "每次修改加 1"},
             "jurisdiction_name": {"type": "string", "readOnly": True},
             "industry_name": {"type": "string", "readOnly": True}}
    return {
        "Enterprise": oa.schema_from_fields(ENTERPRISE_FIELDS, extra=extra),
        "EnterpriseCreate": oa.schema_from_fields(ENTERPRISE_FIELDS),
        "EnterprisePatch": oa.schema_from_fields(ENTERPRISE_FIELDS, partial=True, extra={"version": _VERSION_IN}),
        "EnterprisePage": {"type": "object", "required": ["items", "total", "page", "per_page"], "properties": {
            "items": {"type": "array", "items": oa.ref("Enterprise")}, "total": {"type": "integer"},
            "page": {"type": "integer"}, "per_page": {"type": "integer"}}},
    }


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


_LIST_PARAMETERS = [
    _query("q", "企业名称（中文子串）或统一社会信用代码"),
    _query("jurisdiction", "所属镇街的行政区划代码，如 331082112"),
    _query("industry", "产业代码"),
    _query("above_scale", "规上企业：1 / 0", {"type": "string", "enum": ["1", "0", "true", "false"]}),
    _query("pinzibiao", "今天持有有效品字标证书：1 / 0", {"type": "string", "enum": ["1", "0", "true", "false"]}),
    _query("credit", "信用状态：listed 当前在列 / clean 无", {"type": "string", "enum": ["listed", "clean"]}),
    _query("sort", "排序字段", {"type": "string", "enum": list(SORTS), "default": "name"}),
    _query("direction", "排序方向", {"type": "string", "enum": ["asc", "desc"], "default": "asc"}),
    _query("page", "页码（从 1 开始）", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}),
    _query("per_page", "每页条数", {"type": "integer", "minimum": 1, "maximum": 200, "default": 20}),
]


def _created(schema: str) -> dict:
    response = oa.json_response(oa.ref(schema), "已创建")
    response["headers"] = {"Location": {"description": "新对象的 URL", "schema": {"type": "string"}}}
    return response


_DELETED = {"description": "已删除"}


def _enterprise_paths() -> dict:
    ent = [oa.path_id("enterprise_id", "企业 id")]
    return {
        "/enterprises": {
            "get": {"tags": ["enterprises"], "summary": "企业列表（搜索、筛选、分页）", "operationId": "listEnterprises",
                    "parameters": _LIST_PARAMETERS,
                    "responses": {"200": oa.json_response(oa.ref("EnterprisePage")), **oa.errors(401, 422)}},
            "post": {"tags": ["enterprises"], "summary": "新增企业（市局）", "operationId": "createEnterprise",
                     "requestBody": oa.json_request(oa.ref("EnterpriseCreate")),
                     "responses": {"201": _created("Enterprise"), **oa.errors(401, 403, 409, 422)}},
        },
        "/enterprises/{enterprise_id}": {
            "parameters": ent,
            "get": {"tags": ["enterprises"], "summary": "企业主档", "operationId": "getEnterprise",
                    "responses": {"200": oa.json_response(oa.ref("Enterprise")), **oa.errors(401, 404)}},
            "patch": {"tags": ["enterprises"], "summary": "修改企业主档（只改提交的字段）", "operationId": "updateEnterprise",
                      "requestBody": oa.json_request(oa.ref("EnterprisePatch")),
                      "responses": {"200": oa.json_response(oa.ref("Enterprise")),
                                    **oa.errors(401, 403, 404, 409, 422)}},
            "delete": {"tags": ["enterprises"], "summary": "删除企业及其全部记录（市局）", "operationId": "deleteEnterprise",
                       "responses": {"204": _DELETED, **oa.errors(401, 403, 404)}},
        },
    }


def _camel(slug: str) -> str:
    return "".join(part.capitalize() for part in slug.split("-"))


def _record_paths(kind: RecordKind) -> dict:
    name, label, op = schema_name(kind), kind.label, _camel(kind.slug)
    ent = [oa.path_id("enterprise_id", "企业 id")]
    item = ent + [oa.path_id("record_id", f"{label} id")]
    tags = ["records"]
    return {
        f"/enterprises/{{enterprise_id}}/{kind.slug}": {
            "parameters": ent,
            "get": {"tags": tags, "summary": f"{label}列表", "operationId": f"list{op}",
                    "responses": {"200": oa.json_response(oa.ref(f"{name}List")), **oa.errors(401, 404)}},
            "post": {"tags": tags, "summary": f"新增{label}", "operationId": f"create{op}",
                     "requestBody": oa.json_request(oa.ref(f"{name}Create")),
                     "responses": {"201": _created(name), **oa.errors(401, 403, 404, 409, 422)}},
        },
        f"/enterprises/{{enterprise_id}}/{kind.slug}/{{record_id}}": {
            "parameters": item,
            "get": {"tags": tags, "summary": f"{label}详情", "operationId": f"get{op}",
                    "responses": {"200": oa.json_response(oa.ref(name)), **oa.errors(401, 404)}},
            "patch": {"tags": tags, "summary": f"修改{label}（只改提交的字段）", "operationId": f"update{op}",
                      "requestBody": oa.json_request(oa.ref(f"{name}Patch")),
                      "responses": {"200": oa.json_response(oa.ref(name)), **oa.errors(401, 403, 404, 409, 422)}},
            "delete": {"tags": tags, "summary": f"删除{label}", "operationId": f"delete{op}",
                       "responses": {"204": _DELETED, **oa.errors(401, 403, 404)}},
        },
    }


def contribute() -> dict:
    """The registry's part of the document (see ``registry.api.openapi``)."""
    paths = _enterprise_paths()
    schemas = _enterprise_schemas()
    for kind in KINDS.values():
        paths.update(_record_paths(kind))
        schemas.update(_kind_schemas(kind))
    paths["/openapi.json"] = {"get": {
        "tags": ["meta"], "summary": "本文档（无需令牌）", "operationId": "openapiDocument", "security": [],
        "responses": {"200": oa.json_response({"type": "object"}, "OpenAPI 3.1 文档")}}}
    return {
        "tags": [{"name": "enterprises", "description": "企业主档"},
                 {"name": "records", "description": "企业质量档案记录（标准、认证、荣誉、专利、商标、信用、事件）"},
                 {"name": "meta", "description": "API 说明"}],
        "paths": paths, "schemas": schemas,
    }
