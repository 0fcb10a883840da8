"""Town assessment (镇街考核): each town, street and zone's contribution to every derived count indicator,
its change on the same date a year earlier, and a ranking.

Score (目标贡献分, a default): the sum over indicators of value / city target x 100, each capped at 100, so a
town that alone delivered one indicator's whole target scores the full 100 for it. A standard drafted in several towns counts in
each (domain.md section 6), so town figures can add up to more than the city figure.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from registry import policy
from registry.extensions import db
from registry.models import Jurisdiction, User
from registry.targets import figures
from registry.targets.counting import year_ago
from registry.targets.models import KIND_CUMULATIVE, KIND_NEW, METHOD_DERIVED, PLAN_14TH
from registry.targets.rules import all_rules
from registry.targets.services import can_view_targets, plan_indicators


def assessment_indicators():
    return [i for i in plan_indicators(PLAN_14TH)
            if i.method == METHOD_DERIVED and i.kind in (KIND_NEW, KIND_CUMULATIVE) and i.rule in all_rules()]


def _ranks(scores: list[float]) -> list[int]:
    ordered = sorted(scores, reverse=True)
    return [ordered.index(s) + 1 for s in scores]  # ties share a rank (1, 1, 3)


def check_viewer(user: User) -> None:
    """Raises Forbidden unless the user is bureau staff, an administrator or a town reviewer with a jurisdiction."""
    policy.check(user, "targets.assessment")


def town_assessment(user: User, day: date) -> dict:
    """The assessment as ``user`` may see it: bureau and admin every row; a town reviewer only their own
    jurisdiction's row (ranked among all). Raises Forbidden for anyone else."""
    check_viewer(user)
    result = compute_assessment(day)
    if not can_view_targets(user):
        result["rows"] = [r for r in result["rows"] if r["jurisdiction"]["id"] == user.jurisdiction_id]
    return result


def compute_assessment(day: date) -> dict:
    """Rows per jurisdiction with per-indicator (value, a year earlier, change), score and rank (no scope check:
    callers check)."""
    indicators = assessment_indicators()
    counts = figures.town_counts(sorted({i.rule for i in indicators}), day)
    towns = list(db.session.scalars(select(Jurisdiction).where(Jurisdiction.active.is_(True))
                                    .order_by(Jurisdiction.sort_order, Jurisdiction.id)))
    rows = []
    for town in towns:
        cells, score, score_before = {}, 0.0, 0.0
        for ind in indicators:
            now, before = counts[ind.rule].get(town.id, (0, 0))
            cells[ind.code] = {"value": now, "before": before, "change": now - before}
            if ind.target_value:
                # Capped at 100 per indicator: one town cannot earn more than the whole city target.
                score += min(100.0, now * 100.0 / ind.target_value)
                score_before += min(100.0, before * 100.0 / ind.target_value)
        rows.append({"jurisdiction": {"id": town.id, "code": town.code, "name": town.name, "kind": town.kind},
                     "cells": cells, "score": round(score, 1), "score_before": round(score_before, 1),
                     "score_change": round(score - score_before, 1)})
    for row, rank in zip(rows, _ranks([r["score"] for r in rows])):
        row["rank"] = rank
    for row, rank in zip(rows, _ranks([r["score_before"] for r in rows])):
        row["rank_before"] = rank
    return {"as_of": day.isoformat(), "compared_with": year_ago(day).isoformat(),
            "indicators": [{"code": i.code, "name": i.name, "target": i.target_text, "target_value": i.target_value,
                            "kind": i.kind} for i in indicators],
            "rows": rows}
