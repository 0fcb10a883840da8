"""培育品字标企业: every route to the 品字标 counts (浙江制造 certification, 浙江农产/浙江服务 认定, self-declaration),
each enterprise once, by its first; a suspended certificate does not count while suspended."""
from __future__ import annotations

import datetime as dt

from registry.targets import counting
from registry.targets.rules import get_rule
from tests.targets.factories import CertificationFactory, EnterpriseFactory

END = dt.date(2025, 12, 31)


def _cert(enterprise, cert_type: str, issued: dt.date, **kw):
    return CertificationFactory(enterprise=enterprise, cert_type=cert_type, issued_on=issued,
                                expires_on=issued.replace(year=issued.year + 3), **kw)


def _count(day: dt.date = END):
    return counting.count(get_rule("pinzibiao_enterprises"), day)


def test_recognition_and_declaration_routes_count_each_enterprise_once_by_its_first():
    agri, service, declared, both, before = (EnterpriseFactory() for _ in range(5))
    _cert(agri, "pinzibiao_agri", dt.date(2022, 5, 1))
    _cert(service, "pinzibiao_service", dt.date(2023, 6, 1))
    _cert(declared, "pinzibiao_declaration", dt.date(2024, 7, 1))
    _cert(both, "pinzibiao", dt.date(2022, 3, 1))
    _cert(both, "pinzibiao_agri", dt.date(2024, 3, 1))  # a second route: still one enterprise, counted in 2022
    _cert(before, "pinzibiao", dt.date(2019, 3, 1))
    _cert(before, "pinzibiao_service", dt.date(2023, 3, 1))  # had the 品字标 before the plan: not 新增
    got = _count()
    assert got.total == 4
    assert {y: got.by_year[y] for y in (2022, 2023, 2024)} == {2022: 2, 2023: 1, 2024: 1}
    listed = counting.records(get_rule("pinzibiao_enterprises"), END)
    assert sorted(row["enterprise_id"] for row in listed) == sorted(e.id for e in (agri, service, declared, both))


def test_a_suspended_certificate_does_not_count_while_suspended_unless_another_route_holds():
    alone, covered = EnterpriseFactory(), EnterpriseFactory()
    _cert(alone, "pinzibiao_agri", dt.date(2022, 5, 1), status="suspended", status_changed_on=dt.date(2024, 5, 1))
    _cert(covered, "pinzibiao", dt.date(2022, 5, 1), status="suspended", status_changed_on=dt.date(2024, 5, 1))
    _cert(covered, "pinzibiao_service", dt.date(2023, 1, 10))  # its 浙江服务 认定 is still valid
    assert _count(dt.date(2024, 4, 30)).total == 2
    assert _count(END).total == 1
    assert [r["enterprise_id"] for r in counting.records(get_rule("pinzibiao_enterprises"), END)] == [covered.id]


def test_the_rule_says_which_routes_count_and_how_a_suspension_counts():
    label = get_rule("pinzibiao_enterprises").label
    for words in ("品字标浙江农产", "品字标浙江服务", "自我声明", "每家计一次", "暂停期间不计"):
        assert words in label
