"""地理标志培育、申请数: cultivation (培育中) counts in the year it started, 地理标志产品保护 counts too."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.services import records
from registry.services.errors import ValidationFailed
from registry.targets import counting
from registry.targets.rules import get_rule
from tests.factories import UserFactory
from tests.targets.factories import EnterpriseFactory

END = dt.date(2025, 12, 31)


def _gi(user, owner, reg_number: str, **fields):
    data = {"reg_number": reg_number, "nice_class": "31", "mark": f"临海{reg_number}", "geographical_indication": "1",
            **fields}
    return records.create_record(user, owner.id, "trademarks", data)


def test_a_gi_counts_once_in_the_year_of_its_cultivation_or_application_whichever_came_first():
    bureau = UserFactory(role="bureau")
    association = EnterpriseFactory(name="临海市涌泉蜜桔产业协会")
    # 培育中 since 2022, not yet applied for
    _gi(bureau, association, "60000001", gi_status="cultivating", gi_cultivation_started_on="2022-04-01")
    # cultivated from 2023, applied for in 2026: counts in 2023
    _gi(bureau, association, "60000002", gi_status="applied", gi_route="product_protection",
        gi_cultivation_started_on="2023-03-01", gi_applied_on="2026-02-01")
    # cultivated from 2019, applied for in 2024: its GI work began before the plan, so not 新增
    _gi(bureau, association, "60000003", gi_status="applied", gi_cultivation_started_on="2019-05-01",
        gi_applied_on="2024-05-01")
    # applied for in 2024 without a recorded cultivation
    _gi(bureau, association, "60000004", gi_status="applied", gi_applied_on="2024-09-01")
    got = counting.count(get_rule("gi_trademarks"), END)
    assert got.total == 3
    assert {y: got.by_year[y] for y in (2022, 2023, 2024)} == {2022: 1, 2023: 1, 2024: 1}
    assert counting.count(get_rule("gi_trademarks"), dt.date(2022, 12, 31)).total == 1


def test_a_gi_takes_the_trademark_route_by_default_and_cultivation_needs_its_date():
    bureau = UserFactory(role="bureau")
    owner = EnterpriseFactory()
    saved = _gi(bureau, owner, "60000011", gi_status="applied", gi_applied_on="2023-01-05")
    assert saved.gi_route == "trademark"
    with pytest.raises(ValidationFailed) as err:
        _gi(bureau, owner, "60000012", gi_status="cultivating")
    assert "gi_cultivation_started_on" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        _gi(bureau, owner, "60000013", gi_status="applied", gi_cultivation_started_on="2024-01-01",
            gi_applied_on="2023-01-01")
    assert "gi_applied_on" in err.value.errors


def test_a_product_protection_application_without_a_trademark_number_counts_as_its_own_record():
    bureau = UserFactory(role="bureau")
    association = EnterpriseFactory(name="临海市西兰花产业协会")
    records.create_record(bureau, association.id, "gi-products", {
        "product_name": "临海西兰花", "status": "cultivating", "cultivation_started_on": "2022-06-01"})
    records.create_record(bureau, association.id, "gi-products", {
        "product_name": "临海蜜桔", "status": "applied", "cultivation_started_on": "2020-03-01",
        "applied_on": "2023-05-01"})  # its GI work began before the plan: not 新增
    records.create_record(bureau, association.id, "gi-products", {
        "product_name": "涌泉蜜桔", "status": "registered", "applied_on": "2024-02-01", "approved_on": "2025-03-01"})
    _gi(bureau, association, "60000021", gi_status="applied", gi_applied_on="2024-09-01")
    got = counting.count(get_rule("gi_trademarks"), END)
    assert got.total == 3
    assert {y: got.by_year[y] for y in (2022, 2023, 2024)} == {2022: 1, 2023: 0, 2024: 2}
    listed = counting.records(get_rule("gi_trademarks"), END)
    assert sorted(item["title"] for item in listed) == ["临海60000021", "临海西兰花", "涌泉蜜桔"]
    with pytest.raises(ValidationFailed) as err:  # cultivating needs its start date, applied its application date
        records.create_record(bureau, association.id, "gi-products", {"product_name": "X", "status": "cultivating"})
    assert "cultivation_started_on" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        records.create_record(bureau, association.id, "gi-products", {"product_name": "Y", "status": "applied"})
    assert "applied_on" in err.value.errors
