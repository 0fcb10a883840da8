"""The report of green-product certificates whose legacy free-text domain names no catalogue entry."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.services.errors import Forbidden
from registry.targets.green_domains import unmapped
from tests.factories import UserFactory
from tests.targets.factories import CertificationFactory, EnterpriseFactory


def _cert(enterprise, number, domain, **kw):
    return CertificationFactory(enterprise=enterprise, cert_type="green_product", number=number, product_domain=domain,
                                issued_on=dt.date(2022, 1, 1), expires_on=dt.date(2030, 1, 1), status="valid", **kw)


def test_lists_only_certificates_the_rule_cannot_place_with_the_entry_each_looks_like(client, auth):
    bureau = UserFactory(role="bureau")
    firm = EnterpriseFactory(name="临海绿建材料有限公司")
    _cert(firm, "G-OK", "涂料")  # a catalogue name: counted, not listed
    _cert(firm, "G-OLD", "建材")  # free text no entry names
    _cert(firm, "G-WIDE", "陶瓷砖(板)")  # half-width: folds to the catalogue's 陶瓷砖（板）, listed with that suggestion
    _cert(firm, "G-NONE", None)
    CertificationFactory(enterprise=firm, cert_type="iso9001", number="ISO-1", product_domain="建材",
                         issued_on=dt.date(2022, 1, 1))  # not a green-product certificate
    found = {i.certification.number: i.suggestion for i in unmapped(bureau)}
    assert found == {"G-OLD": None, "G-WIDE": "陶瓷砖（板）", "G-NONE": None}

    auth.login(bureau)
    page = client.get("/targets/green-domains/unmapped").get_data(as_text=True)
    assert "G-OLD" in page and "建材" in page and "陶瓷砖（板）" in page and "G-OK" not in page
    assert f"/enterprises/{firm.id}/certifications/" in page  # each row leads to the certificate's edit page


@pytest.mark.parametrize("role", ["enterprise", "town", "expert"])
def test_only_bureau_staff_see_it(client, auth, role):
    user = UserFactory(role=role, **({"enterprise": EnterpriseFactory()} if role == "enterprise" else {}))
    with pytest.raises(Forbidden):
        unmapped(user)
    auth.login(user)
    assert client.get("/targets/green-domains/unmapped").status_code == 403
