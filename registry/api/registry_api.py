"""The registry JSON API under /api/v1: enterprises and their quality records.

Thin adapters over ``registry.services.enterprises`` and ``registry.services.records``: read the request,
call one service, shape the answer. Domain errors map to JSON in ``registry.errors`` (403/404/409/422).
The OpenAPI description of these paths lives in ``registry.api.registry_openapi``.
"""
from __future__ import annotations

from flask import Response, jsonify, request, url_for

from registry.api.auth import api_blueprint, api_user
from registry.api.openapi import document
from registry.api.typed import typed_body
from registry.records.kinds import KINDS
from registry.services import enterprises, records
from registry.services.errors import ValidationFailed

bp = api_blueprint("registry_api", __name__, public=("openapi_document",))

# Only the known slugs route at all, so an unknown kind is a plain 404 and the URL map lists every kind.
KIND = "<any({}):kind>".format(", ".join(f'"{slug}"' for slug in KINDS))
MAX_PAGE = 100_000  # keeps OFFSET inside 64-bit integers whatever the client sends
FILTER_CHOICES = {
    "above_scale": ("", "1", "0"), "pinzibiao": ("", "1", "0"), "credit": ("", "listed", "clean"),
    "sort": tuple(enterprises.SORTS), "direction": ("asc", "desc"),
}
_BOOL_WORDS = {"true": "1", "false": "0"}


def _int_arg(name: str, default: int, low: int, high: int, errors: dict) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        errors[name] = [f"{name} 必须是 {low} 至 {high} 之间的整数。"]
        return default
    return int(raw)


def _list_query() -> tuple[enterprises.EnterpriseFilters, int, int]:
    """Filters and paging from the query string. Raises ValidationFailed naming each bad parameter."""
    errors: dict[str, list[str]] = {}
    page = _int_arg("page", 1, 1, MAX_PAGE, errors)
    per_page = _int_arg("per_page", 20, 1, 200, errors)
    # NUL cannot reach PostgreSQL in a comparison either; long text cannot match anything anyway.
    values = {name: request.args.get(name, "").replace("\x00", "").strip()[:200]
              for name in ("q", "jurisdiction", "industry")}
    for name, allowed in FILTER_CHOICES.items():
        raw = request.args.get(name, "").strip().lower()
        raw = _BOOL_WORDS.get(raw, raw) if name in ("above_scale", "pinzibiao") else raw
        if raw and raw not in allowed:
            errors[name] = [f"{name} 只能是：{'、'.join(a for a in allowed if a)}。"]
        elif raw:
            values[name] = raw
    if errors:
        raise ValidationFailed(errors)
    return enterprises.EnterpriseFilters(**values), page, per_page


def _expected_version(data: dict) -> int | None:
    version = data.get("version")
    if version is None:
        return None
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed({"version": ["version 必须是整数（读取时得到的版本号）。"]})
    return version


def _created(body: dict, location: str) -> Response:
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = location
    return response


# --- enterprises -----------------------------------------------------------------------------------------

@bp.get("/enterprises")
def list_enterprises():
    filters, page, per_page = _list_query()
    result = enterprises.search_enterprises(api_user(), filters, page=page, per_page=per_page)
    return jsonify({"items": [enterprises.serialize(e) for e in result.items], "total": result.total,
                    "page": result.page, "per_page": result.per_page})


@bp.post("/enterprises")
def create_enterprise():
    enterprise = enterprises.create_enterprise(api_user(), typed_body(enterprises.ENTERPRISE_FIELDS))
    return _created(enterprises.serialize(enterprise), url_for(".enterprise", enterprise_id=enterprise.id))


@bp.get("/enterprises/<int:enterprise_id>")
def enterprise(enterprise_id: int):
    return jsonify(enterprises.serialize(enterprises.get_enterprise(api_user(), enterprise_id)))


@bp.patch("/enterprises/<int:enterprise_id>")
def update_enterprise(enterprise_id: int):
    data = typed_body(enterprises.ENTERPRISE_FIELDS)
    updated = enterprises.update_enterprise(api_user(), enterprise_id, data, expected_version=_expected_version(data))
    return jsonify(enterprises.serialize(updated))


@bp.delete("/enterprises/<int:enterprise_id>")
def delete_enterprise(enterprise_id: int):
    enterprises.delete_enterprise(api_user(), enterprise_id)
    return "", 204


# --- records of one kind -----------------------------------------------------------------------------------

@bp.get(f"/enterprises/<int:enterprise_id>/{KIND}")
def list_records(enterprise_id: int, kind: str):
    items = records.list_records(api_user(), enterprise_id, kind)
    return jsonify({"items": [records.serialize(KINDS[kind], obj) for obj in items], "total": len(items)})


@bp.post(f"/enterprises/<int:enterprise_id>/{KIND}")
def create_record(enterprise_id: int, kind: str):
    obj = records.create_record(api_user(), enterprise_id, kind, typed_body(KINDS[kind].fields))
    return _created(records.serialize(KINDS[kind], obj),
                    url_for(".record", enterprise_id=enterprise_id, kind=kind, record_id=obj.id))


@bp.get(f"/enterprises/<int:enterprise_id>/{KIND}/<int:record_id>")
def record(enterprise_id: int, kind: str, record_id: int):
    obj = records.get_record(api_user(), enterprise_id, kind, record_id)
    return jsonify(records.serialize(KINDS[kind], obj))


@bp.patch(f"/enterprises/<int:enterprise_id>/{KIND}/<int:record_id>")
def update_record(enterprise_id: int, kind: str, record_id: int):
    obj = records.update_record(api_user(), enterprise_id, kind, record_id, typed_body(KINDS[kind].fields))
    return jsonify(records.serialize(KINDS[kind], obj))


@bp.delete(f"/enterprises/<int:enterprise_id>/{KIND}/<int:record_id>")
def delete_record(enterprise_id: int, kind: str, record_id: int):
    records.delete_record(api_user(), enterprise_id, kind, record_id)
    return "", 204


# --- the OpenAPI document (public) --------------------------------------------------------------------------

@bp.get("/openapi.json")
def openapi_document():
    return jsonify(document())
