"""JSON API of the targets: ``GET /api/v1/targets`` and ``GET /api/v1/targets/<code>/records`` (bearer token;
bureau and admin only: other roles get 403)."""
from __future__ import annotations

from flask import jsonify, request, url_for

from registry.api.auth import api_blueprint, api_user
from registry.services.errors import ValidationFailed
from registry.targets import services

bp = api_blueprint("targets_api", __name__)


def _filters() -> services.Filters:
    return services.parse_filters(request.args.get("as_of"), request.args.get("jurisdiction"),
                                  request.args.get("industry"))


@bp.get("/targets")
def targets():
    """Every active indicator: {code, name, unit, kind, target, value, by_year, ...} under the filters."""
    user = api_user()
    services.require_viewer(user)
    filters = _filters()
    out = []
    for row in services.dashboard(user, filters):
        item = {key: row[key] for key in ("code", "category", "name", "unit", "kind", "method", "target",
                                          "target_value", "value", "share", "expected", "on_pace", "projection",
                                          "registry_count")}
        item["by_year"] = {str(y): v for y, v in row["by_year"].items()}
        official = row.get("official")
        item["official"] = official["value"] if official else None
        item["official_year"] = official["year"] if official else None
        item["official_source"] = official["source"] if official else None
        item["official_difference"] = official["difference"] if official else None
        if row["method"] == "derived":
            item["records"] = url_for("targets_api.target_records", code=row["code"], **filters.as_args())
        out.append(item)
    return jsonify(out)


@bp.get("/targets/<code>/records")
def target_records(code: str):
    """What the indicator counted: ``count`` equals ``len(items)``; ``year`` narrows to one year's column."""
    user = api_user()
    services.require_viewer(user)
    filters = _filters()
    year = request.args.get("year")
    if year is not None and not year.isdigit():
        raise ValidationFailed({"year": ["年份应为四位数字。"]})
    indicator, items = services.counted_records(user, code, filters, int(year) if year else None)
    return jsonify({
        "code": indicator.code, "name": indicator.name, "as_of": filters.as_of.isoformat(),
        "jurisdiction": filters.jurisdiction.code if filters.jurisdiction else None,
        "industry": filters.industry.code if filters.industry else None, "year": int(year) if year else None,
        "count": len(items),
        "items": [{"key": item["key"], "source": item["source"], "record_id": item["record_id"],
                   "kind_code": item["kind_code"], "number": item["number"], "title": item["title"],
                   "start": item["start"].isoformat() if item["start"] else None,
                   "enterprises": [{"id": e["id"], "name": e["name"]} for e in item["enterprises"]]}
                  for item in items],
    })
