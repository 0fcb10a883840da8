"""As-of dates before and after revocations, withdrawals and cancellations; multi-town standards."""
from __future__ import annotations

import datetime as dt

from registry.targets import counting, figures
from registry.targets.rules import get_rule
from tests.factories import jurisdiction
from tests.targets.factories import (CertificationFactory, EnterpriseFactory, HonourFactory, StandardDrafterFactory,
                                     StandardFactory)

D = dt.date


def _total(rule: str, day: dt.date, **filters) -> int:
    return counting.count(get_rule(rule), day, filters.get("jid"), filters.get("iid")).total


def test_a_revoked_honour_stops_counting_from_its_revocation_date():
    honour = HonourFactory(honour_type="qianjiang_cup", year=2022, awarded_on=D(2022, 11, 20))
    assert _total("qianjiang_cup", D(2022, 11, 19)) == 0
    assert _total("qianjiang_cup", D(2022, 11, 20)) == 1
    honour.revoked_on = D(2024, 3, 1)
    from registry.extensions import db

    db.session.commit()
    assert _total("qianjiang_cup", D(2024, 2, 29)) == 1
    assert _total("qianjiang_cup", D(2024, 3, 1)) == 0
    # Seen from after the revocation, its year no longer counts it either.
    assert counting.count(get_rule("qianjiang_cup"), D(2024, 6, 30)).by_year[2022] == 0
    assert counting.count(get_rule("qianjiang_cup"), D(2023, 12, 31)).by_year[2022] == 1


def test_an_honour_known_only_by_year_counts_from_31_december():
    HonourFactory(honour_type="zhejiang_export_brand", year=2023, awarded_on=None)
    assert _total("export_brands", D(2023, 12, 30)) == 0
    assert _total("export_brands", D(2023, 12, 31)) == 1


def test_a_standard_withdrawn_later_still_counts_in_the_year_it_was_made():
    """新增 standards count the making of a standard: its later withdrawal (废止) does not undo it."""
    standard = StandardFactory(level="national", number="GB/T 40001-2022", status="withdrawn",
                               published_on=D(2022, 5, 1), withdrawn_on=D(2024, 1, 1))
    StandardDrafterFactory(standard=standard)
    assert _total("national_standards", D(2022, 4, 30)) == 0
    assert _total("national_standards", D(2023, 12, 31)) == 1
    assert _total("national_standards", D(2024, 1, 1)) == 1
    assert counting.count(get_rule("national_standards"), D(2025, 12, 31)).by_year[2022] == 1


def test_a_cancelled_certificate_stops_counting_from_its_date():
    cert = CertificationFactory(cert_type="high_quality_service", issued_on=D(2021, 6, 1), expires_on=D(2024, 5, 31),
                                status="cancelled", status_changed_on=D(2023, 2, 1))
    assert _total("high_quality_service_certs", D(2023, 1, 31)) == 1
    assert _total("high_quality_service_certs", D(2023, 2, 1)) == 0
    assert cert.is_valid_on(D(2023, 1, 31)) and not cert.is_valid_on(D(2023, 2, 1))


def test_pinzibiao_enterprises_count_the_first_certificate_in_the_period():
    before = EnterpriseFactory()
    CertificationFactory(enterprise=before, issued_on=D(2019, 5, 1), expires_on=D(2022, 4, 30))
    CertificationFactory(enterprise=before, issued_on=D(2022, 5, 1), expires_on=D(2025, 4, 30))  # renewal: not new
    new = EnterpriseFactory()
    first = CertificationFactory(enterprise=new, issued_on=D(2021, 8, 1), expires_on=D(2024, 7, 31))
    second = CertificationFactory(enterprise=new, issued_on=D(2022, 1, 1), expires_on=D(2025, 12, 31))
    revoked = EnterpriseFactory()
    CertificationFactory(enterprise=revoked, issued_on=D(2023, 3, 1), status="revoked", status_changed_on=D(2024, 7, 1))
    rule = get_rule("pinzibiao_enterprises")
    assert counting.count(rule, D(2024, 6, 30)).total == 2
    assert counting.count(rule, D(2024, 7, 1)).total == 1  # revocation removes the enterprise from that date
    count = counting.count(rule, D(2023, 12, 31))
    assert (count.total, count.by_year[2021], count.by_year[2023]) == (2, 1, 1)
    second.status, second.status_changed_on = "suspended", D(2025, 1, 1)
    from registry.extensions import db

    db.session.commit()
    # The 2021 certificate expired on 2024-07-31 but expiry does not undo 培育; a cancellation does.
    assert counting.count(rule, D(2025, 1, 1)).total == 1
    first.status, first.status_changed_on = "cancelled", D(2025, 2, 1)
    db.session.commit()
    assert counting.count(rule, D(2025, 1, 31)).total == 1
    assert counting.count(rule, D(2025, 2, 1)).total == 0
    assert [r["enterprise_id"] for r in counting.records(rule, D(2024, 6, 30))] == [new.id, revoked.id]


def test_a_standard_of_several_towns_counts_once_citywide_and_once_per_town():
    a = EnterpriseFactory(jurisdiction=jurisdiction("331082001"))
    b = EnterpriseFactory(jurisdiction=jurisdiction("331082112"))
    c = EnterpriseFactory(jurisdiction=jurisdiction("331082112"))
    standard = StandardFactory(level="group_zzb", published_on=D(2022, 6, 1))
    for ent in (a, b, c):
        StandardDrafterFactory(standard=standard, enterprise=ent)
    rule = get_rule("zzb_standards")
    day = D(2023, 1, 1)
    assert counting.count(rule, day).total == 1
    per_town = counting.count_by_jurisdiction(rule, day)
    assert per_town == {a.jurisdiction_id: (1, 0), b.jurisdiction_id: (1, 0)}
    [item] = counting.records(rule, day)
    assert {e["name"] for e in item["enterprises"]} == {a.name, b.name, c.name}


def test_a_record_change_recomputes_only_the_rules_that_read_it(monkeypatch):
    """The cache: a new 钱江杯 honour invalidates that rule only; other figures come from the cache."""
    HonourFactory(honour_type="qianjiang_cup", year=2022)
    names = ["qianjiang_cup", "export_brands", "zzb_standards", "madrid_trademarks"]
    day = D(2024, 1, 1)
    assert figures.rule_counts(names, day)["qianjiang_cup"].total == 1
    computed = []
    real = counting.count
    monkeypatch.setattr(counting, "count", lambda rule, *a: computed.append(rule.name) or real(rule, *a))
    assert figures.rule_counts(names, day)["qianjiang_cup"].total == 1
    assert computed == []  # warm: nothing recomputed
    HonourFactory(honour_type="qianjiang_cup", year=2023)
    assert figures.rule_counts(names, day)["qianjiang_cup"].total == 2
    assert computed == ["qianjiang_cup"]
    computed.clear()
    CertificationFactory(cert_type="pinzibiao")  # no figure here reads certificates
    figures.rule_counts(names, day)
    assert computed == []
    moved = EnterpriseFactory()
    computed.clear()
    moved.jurisdiction = jurisdiction("331082114")  # moving an enterprise can change every town's figures
    from registry.extensions import db

    db.session.commit()
    figures.rule_counts(names, day)
    assert computed == []  # city-wide figures do not depend on where an enterprise is
    real_towns = counting.count_by_jurisdiction
    monkeypatch.setattr(counting, "count_by_jurisdiction",
                        lambda rule, *a: computed.append(rule.name) or real_towns(rule, *a))
    figures.rule_counts(names, day, jurisdiction("331082114").id)
    figures.town_counts(names, day)
    assert sorted(computed) == sorted(names * 2)  # filtered and town figures do
    computed.clear()
    figures.rule_counts(names, day, jurisdiction("331082114").id)
    assert computed == []


def test_figures_are_computed_without_redis(app, monkeypatch):
    """With Redis unreachable the dashboard figures are computed directly and commits still succeed."""
    import redis

    from registry.targets import versions

    HonourFactory(honour_type="qianjiang_cup", year=2022)
    dead = redis.Redis(host="127.0.0.1", port=1, socket_timeout=0.2, socket_connect_timeout=0.2)
    monkeypatch.setattr(versions, "_client", lambda: dead)
    HonourFactory(honour_type="qianjiang_cup", year=2023)  # the bump after commit fails quietly
    assert figures.rule_counts(["qianjiang_cup"], D(2024, 1, 1))["qianjiang_cup"].total == 2
