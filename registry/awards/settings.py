"""The award's configurable rules, read from the registry's ``Setting`` rows with these defaults.

Administrators change a rule by writing the row (key -> JSON value); nothing here is cached, so a change
applies to the next check, draw or aggregation.
"""
from __future__ import annotations

from typing import Any

from registry.extensions import db
from registry.models import Setting

DEFAULTS: dict[str, Any] = {
    # Eligibility (资格审查): which rules run, and their parameters.
    "awards.eligibility.rules": ["years_in_operation", "credit", "incidents", "certification"],
    "awards.eligibility.min_years": 3,
    "awards.eligibility.credit_lookback_years": 3,
    "awards.eligibility.credit_list_types": ["serious_dishonesty", "abnormal_operation", "quality_blacklist"],
    "awards.eligibility.incident_lookback_years": 3,
    "awards.eligibility.incident_kinds": ["major_quality", "safety", "environmental", "failed_spot_check",
                                          "major_complaint"],
    "awards.eligibility.certificate_types": ["iso9001"],
    # Panel draw (随机抽取评审专家).
    "awards.panel.size": 5,
    "awards.panel.min_size": 5,
    "awards.panel.substitutes": 3,
    "awards.panel.leader_rule": "qualified",  # qualified: a can_lead expert leads; first: the first drawn leads
    "awards.panel.max_load": 3,  # panels (seats incl. substitutes) per expert within one batch
    # Scoring.
    "awards.scoring.drop_extremes": True,  # drop one highest and one lowest score
    "awards.scoring.min_scores_to_trim": 3,
    "awards.scoring.spread_threshold_pct": 30,  # max - min above this % of the category maximum: re-score
    "awards.scoring.max_attempts": 2,  # after this many attempts a wide spread is accepted and flagged
    "awards.scoring.stage_weights": {"document": 0.4, "presentation": 0.0, "site": 0.6},
    # Public notice (公示) defaults for new rounds.
    "awards.notice.days": 7,
    "awards.notice.working_days": False,
}


def get(key: str) -> Any:
    """The setting's value, or its default. Raises KeyError for an unknown key (a typo must not pass silently)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is not None and row.value is not None:
        return row.value
    return DEFAULTS[key]


def put(key: str, value: Any) -> None:
    """Write a setting (the caller commits). Raises KeyError for an unknown key."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
