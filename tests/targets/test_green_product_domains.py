"""绿色产品认证覆盖领域: domains come from the 绿色产品认证目录 catalogue, not free text."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Certification, GreenProductDomain
from registry.services import catalogues, records
from registry.services.errors import ValidationFailed
from registry.targets import counting
from registry.targets.rules import get_rule
from tests.factories import UserFactory
from tests.targets.factories import CertificationFactory, EnterpriseFactory

END = dt.date(2025, 12, 31)


def _green(user, enterprise, number: str, domain: str):
    return records.create_record(user, enterprise.id, "certifications", {
        "cert_type": "green_product", "number": number, "product_domain": domain, "issued_on": "2023-05-01",
        "expires_on": "2028-04-30", "status": "valid"})


def _total(day: dt.date = END) -> int:
    return counting.count(get_rule("green_product_domains"), day).total


def test_catalogue_domains_count_once_whatever_the_spelling_and_legacy_free_text_not_at_all():
    bureau = UserFactory(role="bureau")
    a, b = EnterpriseFactory(), EnterpriseFactory()
    _green(bureau, a, "CGP-001", "涂料")
    _green(bureau, b, "CGP-002", " 涂料　")  # spaces, one of them full-width
    _green(bureau, b, "CGP-003", "陶瓷砖（板）")  # full-width brackets: the catalogue's 陶瓷砖(板)
    # recorded before the catalogue, as free text no entry names: kept, shown, not counted
    CertificationFactory(enterprise=a, cert_type="green_product", number="CGP-OLD", product_domain="建材",
                         issued_on=dt.date(2022, 1, 1), expires_on=dt.date(2027, 1, 1), status="valid")
    stored = set(db.session.scalars(select(Certification.product_domain).where(Certification.number.like("CGP-00%"))))
    assert stored == {"涂料", "陶瓷砖（板）"}
    assert _total() == 2
    listed = counting.records(get_rule("green_product_domains"), END)
    assert sorted(row["kind_code"] for row in listed) == ["涂料", "陶瓷砖（板）"]


def test_a_domain_outside_the_catalogue_or_retired_is_a_field_error_saying_where_the_names_are():
    bureau = UserFactory(role="bureau")
    owner = EnterpriseFactory()
    with pytest.raises(ValidationFailed) as err:
        _green(bureau, owner, "CGP-101", "建材")
    message = " ".join(err.value.errors["product_domain"])
    assert "目录维护" in message and "绿色产品认证领域" in message and "防水与密封材料" in message
    retired = db.session.scalar(select(GreenProductDomain).where(GreenProductDomain.name == "家具"))
    admin = UserFactory(role="admin")
    catalogues.save_entry(admin, "green_product_domains", {"code": retired.code, "name": "家具",
                                                            "sort_order": "6", "active": ""}, retired.id)
    with pytest.raises(ValidationFailed) as err:
        _green(bureau, owner, "CGP-102", "家具")
    assert "product_domain" in err.value.errors
    assert _total() == 0


def test_a_renamed_catalogue_entry_keeps_its_certificates_and_the_count_follows():
    bureau, admin = UserFactory(role="bureau"), UserFactory(role="admin")
    _green(bureau, EnterpriseFactory(), "CGP-201", "纺织产品")
    assert _total() == 1
    entry = db.session.scalar(select(GreenProductDomain).where(GreenProductDomain.name == "纺织产品"))
    catalogues.save_entry(admin, "green_product_domains", {"code": entry.code, "name": "纺织品",
                                                            "sort_order": "10", "active": "1"}, entry.id)
    assert db.session.scalar(select(Certification.product_domain).where(Certification.number == "CGP-201")) == "纺织品"
    assert _total() == 1


def test_the_demo_data_names_catalogue_domains():
    from registry.demo.certifications import _GREEN_BY_INDUSTRY, GREEN_DOMAINS

    names = set(db.session.scalars(select(GreenProductDomain.name)))
    assert set(GREEN_DOMAINS) | {d for ds in _GREEN_BY_INDUSTRY.values() for d in ds} <= names
