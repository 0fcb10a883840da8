"""OpenAPI contribution of the targets API (assembled by registry/api/openapi.py)."""
from __future__ import annotations

YEARS = {"type": "object", "description": "2021-2025 → 数值（该年尚未到来时为 null）",
         "additionalProperties": {"type": ["number", "null"]}}
FILTERS = [
    {"name": "as_of", "in": "query", "required": False, "schema": {"type": "string", "format": "date"},
     "description": "截至日期 YYYY-MM-DD（默认今天）：累计指标取该日保有量，新增指标取 2021-01-01 至该日"},
    {"name": "jurisdiction", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "镇街区划代码，如 331082112"},
    {"name": "industry", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "产业代码，如 auto_machinery"},
]


def contribute() -> dict:
    from registry.api import openapi as oa

    target = {"type": "object", "required": ["code", "name", "unit", "kind", "target", "value", "by_year"],
              "properties": {
                  "code": {"type": "string"}, "category": {"type": "string"}, "name": {"type": "string"},
                  "unit": {"type": "string"}, "kind": {"type": "string", "enum": ["new", "cumulative", "rate", "growth"]},
                  "method": {"type": "string", "enum": ["derived", "reported"]},
                  "target": {"type": "string", "description": "规划原文，如 ≥96"},
                  "target_value": {"type": ["number", "null"]}, "value": {"type": ["number", "null"]},
                  "by_year": YEARS, "share": {"type": ["number", "null"]}, "expected": {"type": ["number", "null"]},
                  "on_pace": {"type": ["boolean", "null"]}, "projection": {"type": ["number", "null"]},
                  "registry_count": {"type": ["integer", "null"]},
                  "official": {"type": ["number", "null"], "description": "最近一年的官方数据（上级统计等），登记库统计指标"},
                  "official_year": {"type": ["integer", "null"]},
                  "official_source": {"type": ["string", "null"], "description": "官方数据来源"},
                  "official_difference": {"type": ["number", "null"], "description": "登记库计数减官方数据（同一日期）"},
                  "records": {"type": "string", "description": "统计明细的 API 地址（仅登记库统计指标）"}}}
    record = {"type": "object", "properties": {
        "key": {"type": ["integer", "string"]}, "source": {"type": "string"}, "record_id": {"type": "integer"},
        "kind_code": {"type": ["string", "null"]}, "number": {"type": ["string", "null"]},
        "title": {"type": ["string", "null"]}, "start": {"type": ["string", "null"], "format": "date"},
        "enterprises": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}}}}}}
    records = {"type": "object", "required": ["code", "count", "items"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "as_of": {"type": "string", "format": "date"},
        "jurisdiction": {"type": ["string", "null"]}, "industry": {"type": ["string", "null"]},
        "year": {"type": ["integer", "null"]}, "count": {"type": "integer", "description": "等于 items 的条数"},
        "items": {"type": "array", "items": oa.ref("TargetRecord")}}}
    return {
        "tags": [{"name": "targets", "description": "质量目标（十四五规划指标），仅市局与管理员"}],
        "schemas": {"Target": target, "TargetRecord": record, "TargetRecords": records},
        "paths": {
            "/targets": {"get": {
                "tags": ["targets"], "summary": "全部在用指标的目标、当前值与逐年值",
                "parameters": FILTERS,
                "responses": {"200": oa.json_response({"type": "array", "items": oa.ref("Target")}),
                              **oa.errors(401, 403, 422)}}},
            "/targets/{code}/records": {"get": {
                "tags": ["targets"], "summary": "指标所统计的登记记录（条数等于指标值）",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                               *FILTERS,
                               {"name": "year", "in": "query", "required": False,
                                "schema": {"type": "integer", "minimum": 2020, "maximum": 2025},
                                "description": "只列该年的统计记录"}],
                "responses": {"200": oa.json_response(oa.ref("TargetRecords")), **oa.errors(401, 403, 404, 422)}}},
        },
    }
