"""Scoring by GB/T 19580's 23 items (issue 15 item 10): the items and bands as data, percentages into points, the
trimmed mean and the spread check per item, the rolled-up categories, and the expert's form with items and bands."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.awards import gbt19580, panels, rounds, scoring
from registry.awards.gbt19580 import BANDS, CATEGORIES, ITEM_POINTS, ITEMS, check_percentages
from registry.extensions import db
from registry.models import User
from registry.services.errors import ValidationFailed
from tests.awards.conftest import NOW, eligible, self_assessment
from tests.conftest import csrf_token_from
from tests.factories import EnterpriseFactory


def test_items_points_and_bands_are_the_standards():
    assert len(ITEMS) == 23 and sum(ITEM_POINTS.values()) == 1000
    for c in CATEGORIES:  # each category's maximum is the sum of its items'
        assert sum(i.points for i in c.items) == c.points
    assert ITEM_POINTS["4.1.2"] == 50 and ITEM_POINTS["4.4.2"] == 60 and ITEM_POINTS["4.7.4"] == 80
    assert [(b.low, b.high) for b in BANDS] == [(0, 5), (10, 25), (30, 45), (50, 65), (70, 85), (90, 100)]
    assert gbt19580.band_of(55).low == 50 and gbt19580.band_of(7) is None
    clean, errors = check_percentages({"4.1.2": 70, "4.7.2": 55, "4.2.2": 33, "4.2.3": 105})
    assert clean == {"4.1.2": 35.0, "4.7.2": 44.0}
    assert set(errors) == {"score_4_2_2", "score_4_2_3"} and "5 的倍数" in errors["score_4_2_2"][0]


@pytest.fixture
def item_round(bureau):
    return rounds.open_round(bureau, name="第五届临海市政府质量奖（按评分项）", level="linhai", year=2026,
                             call_opens_on=dt.date(2026, 3, 1), call_closes_on=dt.date(2026, 3, 31),
                             quotas={"quality_award": 2}, scoring_scheme="items")


def seated_users(entry_id):
    return [db.session.get(User, m.expert.user_id) for m in panels.members(entry_id, seated_only=True)]


@pytest.fixture
def item_entry(item_round, make_experts, bureau):
    make_experts(10)
    entry = rounds.add_entry(item_round.id, EnterpriseFactory().id, self_assessment=self_assessment(),
                             declaration=True, now=NOW, excellence_since=2018)
    eligible(entry, bureau)
    panels.draw_panels(bureau, [entry.id], NOW, size=5, n_substitutes=2)
    for user in seated_users(entry.id):
        panels.declare(entry.id, user, conflict=False, reason=None, now=NOW)
    return entry


def percentages(pct, **override):
    out = {i.code: pct for i in ITEMS}
    out.update({code.lstrip("_").replace("_", "."): value for code, value in override.items()})
    return out


def test_open_round_refuses_an_unknown_scheme(bureau):
    with pytest.raises(ValidationFailed) as err:
        rounds.open_round(bureau, name="x", level="linhai", year=2026, call_opens_on=dt.date(2026, 3, 1),
                          call_closes_on=dt.date(2026, 3, 31), quotas={"quality_award": 1}, scoring_scheme="points")
    assert "scoring_scheme" in err.value.errors


def test_item_scores_aggregate_per_item_and_a_wide_item_alone_goes_back(item_entry):
    entry = item_entry
    experts = seated_users(entry.id)
    with pytest.raises(ValidationFailed) as err:
        scoring.submit(entry.id, experts[0], "document", percentages(70, _4_1_2=72), NOW)
    assert "score_4_1_2" in err.value.errors  # not a step of the guide
    # One expert gives 4.7.2 产品和服务结果 (80 points) 10 % where the others give 65-75 %: 8 against 52-60 points,
    # a spread of 52 > 30 % of 80 = 24. By category the same sheets would pass: 结果's threshold is 120.
    for user, pct in zip(experts, (65, 70, 70, 75, 70)):
        low = {"_4_7_2": 10} if user is experts[-1] else {}
        out = scoring.submit(entry.id, user, "document", percentages(pct, **low), NOW)
    assert out["rescore_requested"] == ["4.7.2"]
    assert out["pending"] == {e: ["4.7.2"] for e in out["seated"]}
    assert out["result"]["categories"]["results"]["mean"] is None  # 结果 waits for its item

    for user in experts:  # only the item is asked again
        again = scoring.submit(entry.id, user, "document", {"4.7.2": 70}, NOW)
    assert again.get("settled")
    items = again["result"]["items"]
    # 4.1.2 (50 points): 32.5 35 35 35 37.5 -> drop one highest and one lowest -> 35
    assert items["4.1.2"]["mean"] == 35.0 and items["4.7.2"]["mean"] == 56.0
    leadership = sum(items[i.code]["mean"] for i in CATEGORIES[0].items)
    assert again["result"]["categories"]["leadership"]["mean"] == round(leadership, 2)
    db.session.refresh(entry)
    assert entry.review_scores["document"] == again["result"]["total"] == 700.0  # 70 % of every item


def _at_document_review(entry):
    from workflows.models import Application

    application = Application(workflow="quality_award", definition_version=1, enterprise_id=entry.enterprise_id,
                              title="t", stage="document_review", status="in_progress", version=1,
                              data={"round_id": entry.round_id})
    db.session.add(application)
    db.session.flush()
    entry.application_id = application.id
    db.session.commit()


def test_the_expert_form_shows_the_23_items_with_points_and_bands(client, auth, item_entry):
    _at_document_review(item_entry)
    expert = seated_users(item_entry.id)[0]
    auth.login(expert)
    url = f"/awards/expert/entries/{item_entry.id}"
    page = client.get(url).get_data(as_text=True)
    for item in ITEMS:  # every item with its clause, name, points and a percentage input stepping by 5
        assert f"{item.code} {item.label}（{item.points}分）" in page
        assert f'name="score_{item.key}"' in page
    assert page.count('step="5"') == 23
    for band in BANDS:  # the guide's bands, for process and results
        assert band.label in page and band.process in page and band.results in page

    form = {f"score_{i.key}": 70 for i in ITEMS}
    bad = client.post(url, data={**form, "score_4_4_3": 33, "csrf_token": csrf_token_from(page)})
    assert bad.status_code == 302  # back to the sheet with the message, nothing stored
    assert "5 的倍数" in client.get(url).get_data(as_text=True)
    assert scoring.live_scores(item_entry.id, "document") == []
    page = client.get(url).get_data(as_text=True)
    ok = client.post(url, data={**form, "csrf_token": csrf_token_from(page)})
    assert ok.status_code == 302
    stored = {s.category: s.points for s in scoring.live_scores(item_entry.id, "document")}
    assert stored["4.4.3"] == 10.5 and stored["4.7.2"] == 56.0 and len(stored) == 23


def test_a_category_round_keeps_its_seven_fields(client, auth, make_entry, make_experts, bureau):
    make_experts(10)
    entry = make_entry()
    eligible(entry, bureau)
    panels.draw_panels(bureau, [entry.id], NOW, size=5, n_substitutes=2)
    expert = seated_users(entry.id)[0]
    panels.declare(entry.id, expert, conflict=False, reason=None, now=NOW)
    _at_document_review(entry)
    auth.login(expert)
    page = client.get(f"/awards/expert/entries/{entry.id}").get_data(as_text=True)
    assert 'name="score_leadership"' in page and 'name="score_4_1_2"' not in page and "评分指南" not in page
