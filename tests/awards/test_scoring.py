"""Aggregation and the spread rule on hand-worked examples; the scoring flow with re-scoring and sealed sheets."""
from __future__ import annotations

import pytest

from registry import settings
from registry.awards import aggregation, panels, scoring
from registry.awards.gbt19580 import MAX_POINTS, TOTAL_POINTS, check_points
from registry.extensions import db
from registry.models import User
from registry.services.errors import Conflict, NotFound, ValidationFailed
from tests.awards.conftest import NOW, eligible

RULES = aggregation.Rules(drop_extremes=True, min_scores_to_trim=3, spread_threshold_pct=30)


def test_mean_after_dropping_highest_and_lowest():
    # 领导 (max 110, threshold 33): sorted 60 80 85 88 90 -> spread 30, keep 80 85 88 -> 253 / 3 = 84.33
    out = aggregation.category([80, 85, 90, 88, 60], 110, RULES)
    assert out == {"mean": 84.33, "used": [80, 85, 88], "spread": 30, "threshold": 33.0, "rescore": False}


def test_spread_above_threshold_asks_for_rescoring():
    # 结果 (max 400, threshold 120): 150 .. 330 -> spread 180 > 120; keep 300 310 320 -> 310
    out = aggregation.category([300, 320, 310, 150, 330], 400, RULES)
    assert out["rescore"] and out["spread"] == 180 and out["mean"] == 310


def test_trimming_is_configurable_and_needs_enough_scores():
    assert aggregation.category([80, 85, 90], 110, aggregation.Rules(drop_extremes=False))["mean"] == 85
    assert aggregation.category([80, 90], 110, RULES)["used"] == [80, 90]  # too few to trim
    assert aggregation.category([70, 80, 90], 110, RULES)["used"] == [80]


def test_stage_weights():
    weights = {"document": 0.4, "presentation": 0.0, "site": 0.6}
    assert aggregation.weighted({"document": 800, "site": 850}, weights) == 830
    assert aggregation.weighted({"document": 800, "presentation": 10}, weights) == 800
    assert aggregation.weighted({}, weights) is None


def test_categories_and_limits_are_data():
    assert TOTAL_POINTS == 1000 and MAX_POINTS["results"] == 400 and MAX_POINTS["resources"] == 130
    clean, errors = check_points({**MAX_POINTS, "leadership": 111}, "self_")
    assert errors == {"self_leadership": ["“领导”的得分应在 0 到 110 分之间。"]}


def seated_users(entry_id):
    return [db.session.get(User, m.expert.user_id) for m in panels.members(entry_id, seated_only=True)]


def sheet(share, **override):
    out = {code: round(points * share, 1) for code, points in MAX_POINTS.items()}
    out.update(override)
    return out


@pytest.fixture
def panel_entry(make_entry, make_experts, bureau):
    make_experts(10)
    entry = make_entry()
    eligible(entry, bureau)
    panels.draw_panels(bureau, [entry.id], NOW, size=5, n_substitutes=2)
    for user in seated_users(entry.id):
        panels.declare(entry.id, user, conflict=False, reason=None, now=NOW)
    return entry


def test_scoring_flow_rescore_then_settle(panel_entry):
    entry = panel_entry
    experts = seated_users(entry.id)
    shares = [0.80, 0.82, 0.84, 0.86, 0.88]
    with pytest.raises(ValidationFailed) as err:
        scoring.submit(entry.id, experts[0], "document", sheet(0.8, results=401), NOW)
    assert "score_results" in err.value.errors
    # The last expert scores 结果 far lower: spread 344 - 120 = 224 > 120, so 结果 goes back.
    for user, share in zip(experts, shares):
        low = {"results": 120} if user is experts[-1] else {}
        before = scoring.visible_sheets(entry.id, user, "document")
        assert before["others"] == []  # nobody's scores are visible before one's own sheet
        out = scoring.submit(entry.id, user, "document", sheet(share, **low), NOW)
    assert out["rescore_requested"] == ["results"]
    assert out["pending"] == {e: ["results"] for e in out["seated"]}  # everyone owes 结果 again, only that
    with pytest.raises(ValidationFailed):
        scoring.submit(entry.id, experts[0], "document", {"leadership": 1}, NOW)
    for user, share in zip(experts, shares):
        out = scoring.submit(entry.id, user, "document", {"results": round(400 * share, 1)}, NOW)
    with pytest.raises(Conflict):
        scoring.submit(entry.id, experts[0], "document", {"results": 300}, NOW)
    assert out.get("settled")
    db.session.refresh(entry)
    # Every category: shares 0.82 0.84 0.86 kept -> 0.84 of the maximum; 1000 * 0.84 = 840
    assert entry.review_scores["document"] == pytest.approx(840, abs=0.05)
    seen = scoring.visible_sheets(entry.id, experts[0], "document")
    assert seen["submitted"] and len(seen["others"]) == 4


def test_site_score_makes_the_final_score(panel_entry):
    entry = panel_entry
    for stage, share in (("document", 0.8), ("site", 0.9)):
        for user in seated_users(entry.id):
            scoring.submit(entry.id, user, stage, sheet(share), NOW)
    db.session.refresh(entry)
    assert entry.final_score == pytest.approx(0.4 * 800 + 0.6 * 900, abs=0.1)


def test_unseated_or_undeclared_expert_cannot_score(panel_entry, make_experts, make_entry, bureau):
    outsider = db.session.get(User, make_experts(1)[0].user_id)
    with pytest.raises(NotFound):
        scoring.submit(panel_entry.id, outsider, "document", sheet(0.8), NOW)
    # Seated on a fresh panel but not yet declared free of conflict: no scoring, and nothing stored.
    undeclared = make_entry()
    eligible(undeclared, bureau)
    panels.draw_panels(bureau, [undeclared.id], NOW, size=5, n_substitutes=2)
    seated = seated_users(undeclared.id)[0]
    with pytest.raises(NotFound):
        scoring.submit(undeclared.id, seated, "document", sheet(0.8), NOW)
    panels.declare(undeclared.id, seated, conflict=False, reason=None, now=NOW)
    assert scoring.visible_sheets(undeclared.id, seated, "document")["mine"] == {}
    with pytest.raises(ValidationFailed):
        scoring.submit(panel_entry.id, seated_users(panel_entry.id)[0], "presentation", sheet(0.8), NOW)
    settings.put("awards.scoring.max_attempts", 1)
    db.session.commit()
