"""Operations endpoints: /readyz (JSON verdicts, 503 when down) and /metrics (Prometheus)."""
from __future__ import annotations

from flask import Blueprint, jsonify

from registry.ops.readiness import DOWN, readiness

bp = Blueprint("ops", __name__)


@bp.route("/readyz")
def readyz():
    report = readiness()
    response = jsonify(report)
    response.status_code = 503 if report["status"] == DOWN else 200
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/metrics")
def metrics():
    """Prometheus text format; METRICS_TOKEN or an address in METRICS_ALLOW (403 otherwise)."""
    from registry.ops.metrics import scrape

    return scrape()
