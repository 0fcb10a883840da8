"""The worker counts the dashboard's and the town assessment's figures before anyone asks (issue 16 item 4).

At a province's size a cold figure is a scan of a fact table; ``targets.warm_figures`` runs from beat every minute
and fills the same cache the pages read, so neither the day's first visitor nor the first after a change pays it."""
from __future__ import annotations

import datetime as dt
import time

import pytest

from sqlalchemy import select

from registry.extensions import db
from registry.models import Jurisdiction
from registry.targets import counting, versions
from registry.targets.rules import all_rules, get_rule
from registry.targets.warm import warm
from tests.targets.factories import CertificationFactory, HonourFactory

DAY = dt.date(2024, 6, 30)


@pytest.fixture
def ran(monkeypatch):
    """The rules that ran SQL (cache misses), in order; "towns:" marks a count by town."""
    seen: list[str] = []
    count, by_town = counting.count, counting.count_by_jurisdiction
    monkeypatch.setattr(counting, "count", lambda rule, *a: seen.append(rule.name) or count(rule, *a))
    monkeypatch.setattr(counting, "count_by_jurisdiction",
                        lambda rule, *a: seen.append("towns:" + rule.name) or by_town(rule, *a))
    return seen


def _registry():
    HonourFactory(honour_type="qianjiang_cup", year=2022, awarded_on=dt.date(2022, 4, 1))
    CertificationFactory(cert_type="pinzibiao", issued_on=dt.date(2023, 3, 1))


def test_after_a_warm_the_dashboard_and_the_town_assessment_count_nothing(client, auth, make_user, indicators,
                                                                          ran):
    _registry()
    result = warm(DAY)
    assert result["day"] == "2024-06-30" and "skipped" not in result
    city = {name for name in ran if not name.startswith("towns:")}
    by_town = {name.removeprefix("towns:") for name in ran if name.startswith("towns:")}
    assert "qianjiang_cup" in city and "qianjiang_cup" in by_town

    ran.clear()
    auth.login(make_user("bureau"))
    dashboard = client.get(f"/targets/?as_of={DAY.isoformat()}")
    towns = client.get(f"/targets/towns?as_of={DAY.isoformat()}")
    assert dashboard.status_code == towns.status_code == 200
    assert ran == []  # every figure both pages show came from the cache the warm filled
    # ... and they are the figures: the one 钱江杯 project shows on the dashboard.
    assert counting.count(get_rule("qianjiang_cup"), DAY).total == 1


def test_a_town_filter_on_the_dashboard_is_warm_too(client, auth, make_user, indicators, ran):
    _registry()
    warm(DAY)
    ran.clear()
    auth.login(make_user("bureau"))
    for town in db.session.scalars(select(Jurisdiction)):
        assert client.get(f"/targets/?as_of={DAY.isoformat()}&jurisdiction={town.code}").status_code == 200
    assert ran == []
    ran.clear()
    assert "seconds" in warm(DAY) and ran == []  # and a second warm finds them all


@pytest.mark.parametrize("day", [dt.date(2022, 12, 31), DAY, dt.date(2025, 12, 31)])
def test_counts_per_town_in_one_query_are_the_town_filter_s(generated_registry, day):
    """One grouped query per rule gives, for each town, exactly what the dashboard's town filter counts (a standard
    drafted in two towns counts in both), and a town without facts counts zero."""
    towns = list(db.session.scalars(select(Jurisdiction.id)))
    for name, rule in all_rules().items():
        per_town = counting.count_per_jurisdiction(rule, day)
        assert set(per_town) <= set(towns)
        for town in towns:
            assert per_town.get(town, counting.zero(day)) == counting.count(rule, day, town), (name, town)


def test_a_quiet_minute_counts_nothing_and_a_change_recounts_only_its_rules(indicators, ran):
    _registry()
    warm(DAY)
    ran.clear()
    assert "seconds" in warm(DAY) and ran == []

    HonourFactory(honour_type="qianjiang_cup", year=2023, awarded_on=dt.date(2023, 5, 1))  # bumps honours:qianjiang_cup
    warm(DAY)
    recounted = {name.removeprefix("towns:") for name in ran}
    assert "qianjiang_cup" in recounted
    for name in recounted:
        tokens = get_rule(name).tokens
        assert "honours:qianjiang_cup" in tokens or "honours:*" in tokens, (name, tokens)
    assert len(recounted) < len(all_rules()) / 2


def test_only_one_warm_runs_at_a_time_and_the_lease_is_given_back(indicators, ran, monkeypatch):
    _registry()
    held = versions.lease("warm", 60)
    assert held is not None and versions.lease("warm", 60) is None
    assert warm(DAY) == {"day": "2024-06-30", "skipped": "running"}
    assert ran == []
    versions.release(held)

    from registry.targets import warm as warm_module

    def broken(_day):
        raise RuntimeError("database went away")

    monkeypatch.setattr(warm_module, "compute_assessment", broken)
    with pytest.raises(RuntimeError):
        warm(DAY)
    monkeypatch.undo()
    lease = versions.lease("warm", 60)  # a failed warm gave its lease back
    assert lease is not None
    versions.release(lease)


def test_a_lease_that_expired_and_was_taken_is_not_released_by_its_old_holder():
    old = versions.lease("warm", 1)
    assert old is not None
    deadline = time.monotonic() + 10
    new = None
    while new is None and time.monotonic() < deadline:  # polls until Redis expires the first lease
        new = versions.lease("warm", 60)
        time.sleep(0.05)
    assert new is not None
    versions.release(old)
    assert versions.lease("warm", 60) is None  # still the new holder's
    versions.release(new)


def test_without_redis_there_is_no_cache_to_fill(indicators, ran, monkeypatch):
    import redis

    dead = redis.Redis(host="127.0.0.1", port=1, socket_timeout=0.2, socket_connect_timeout=0.2)
    monkeypatch.setattr(versions, "_client", lambda: dead)
    assert warm(DAY) == {"day": "2024-06-30", "skipped": "no cache"}
    assert ran == []


def test_beat_asks_every_minute_on_the_bulk_queue(app):
    from registry.celery_app import beat_schedule
    from registry.queues import queue_for

    entry = beat_schedule(app.config)["targets-warm-figures"]
    assert entry["task"] == "targets.warm_figures"
    assert entry["schedule"] == dt.timedelta(minutes=1)
    assert queue_for("q", "targets.warm_figures") == "q.bulk"  # a cold count must not hold up the deadline sweep


def test_the_task_warms_on_a_real_worker(app, indicators, celery_worker, ran):
    _registry()
    app.extensions["celery"].send_task("targets.warm_figures", args=[DAY.isoformat()])
    stamp = versions.versions([versions.rule_tokens(get_rule("qianjiang_cup"))])[0]
    key = f"towns:qianjiang_cup:{DAY.isoformat()}:-:{stamp}"  # the town counts are the warm's last step
    deadline = time.monotonic() + 120  # a ceiling polled to, not a timing
    while time.monotonic() < deadline and versions.cache_get_many([key]) == [None]:
        time.sleep(0.2)
    from registry.targets.assessment import compute_assessment

    ran.clear()
    compute_assessment(DAY)
    assert ran == []  # the worker's process counted them
    db.session.rollback()
