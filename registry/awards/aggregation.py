"""Pure score arithmetic: a category's aggregate (mean after dropping extremes), the spread rule, stage totals."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rules:
    drop_extremes: bool = True
    min_scores_to_trim: int = 3
    spread_threshold_pct: float = 30.0  # of the category maximum


def category(values: list[float], max_points: float, rules: Rules) -> dict:
    """Aggregate one category's scores. ``rescore`` is True when max - min exceeds the threshold.

    Example (领导, max 110, 30 %: threshold 33): [80, 85, 90, 88, 60] -> spread 30, no re-score;
    dropping 90 and 60 leaves [80, 85, 88], mean 84.33.
    """
    if not values:
        return {"mean": None, "used": [], "spread": None, "threshold": None, "rescore": False}
    ordered = sorted(values)
    used = ordered[1:-1] if rules.drop_extremes and len(ordered) >= max(rules.min_scores_to_trim, 3) else ordered
    spread = round(ordered[-1] - ordered[0], 2)
    threshold = round(max_points * rules.spread_threshold_pct / 100, 2)
    return {"mean": round(sum(used) / len(used), 2), "used": used, "spread": spread, "threshold": threshold,
            "rescore": spread > threshold}


def sheet(values: dict[str, list[float]], maxima: dict[str, int], rules: Rules) -> dict:
    """Aggregate every category: {"categories": {code: ...}, "total": sum of means, "rescore": [codes]}."""
    cats = {code: category(values.get(code, []), maxima[code], rules) for code in maxima}
    means = [c["mean"] for c in cats.values()]
    total = round(sum(means), 2) if all(m is not None for m in means) else None
    return {"categories": cats, "total": total, "rescore": [code for code, c in cats.items() if c["rescore"]]}


def weighted(totals: dict[str, float], weights: dict[str, float]) -> float | None:
    """The final score: stage totals weighted, over the stages that have a total and a positive weight."""
    used = {s: t for s, t in totals.items() if t is not None and weights.get(s, 0) > 0}
    if not used:
        return None
    weight = sum(weights[s] for s in used)
    return round(sum(weights[s] * t for s, t in used.items()) / weight, 2)
