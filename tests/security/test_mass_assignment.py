"""Mass assignment: ids, ownership, versions, timestamps and statuses in an API body are never taken from it."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.extensions import db
from registry.models import Enterprise
from registry.records.kinds import KINDS
from tests.api.payloads import VALID_RECORDS, enterprise_body
from tests.factories import EnterpriseFactory

FORGED = {"id": 987654, "enterprise_id": None, "version": 99, "created_at": "2001-01-01T00:00:00Z",
          "updated_at": "2001-01-01T00:00:00Z", "status": "approved", "owner_id": 1, "role": "admin",
          "jurisdiction_id": 1, "industry_id": 1, "standard_id": 1, "effective_status": "valid"}
OLD = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)


def _created_at(obj) -> dt.datetime:
    value = obj.created_at
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


@pytest.fixture
def bureau(make_user, api):
    return api(make_user("bureau"))


def test_enterprise_post_ignores_server_fields(client, bureau):
    victim = EnterpriseFactory()
    forged = {k: v for k, v in FORGED.items() if k not in ("role",)}
    forged["enterprise_id"] = victim.id
    response = client.post("/api/v1/enterprises", json={**enterprise_body(), **forged}, headers=bureau)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] != 987654 and body["version"] == 1 and "status" not in body
    created = db.session.get(Enterprise, body["id"])
    assert _created_at(created) > OLD and created.jurisdiction.code == "331082112"


def test_enterprise_patch_ignores_server_fields(client, bureau):
    e = EnterpriseFactory()
    before = {"id": e.id, "created_at": _created_at(e), "jurisdiction_id": e.jurisdiction_id,
              "industry_id": e.industry_id}
    response = client.patch(f"/api/v1/enterprises/{e.id}", json={**FORGED, "version": None, "name": "新名有限公司"},
                            headers=bureau)
    assert response.status_code == 200, response.json
    assert response.json["version"] == 2 and response.json["id"] == e.id
    db.session.expire_all()
    fresh = db.session.get(Enterprise, e.id)
    assert {"id": fresh.id, "created_at": _created_at(fresh), "jurisdiction_id": fresh.jurisdiction_id,
            "industry_id": fresh.industry_id} == before
    assert db.session.get(Enterprise, 987654) is None


@pytest.mark.parametrize("slug", list(KINDS))
def test_record_post_and_patch_ignore_server_fields(client, bureau, slug):
    mine, victim = EnterpriseFactory(), EnterpriseFactory()
    forged = {**FORGED, "enterprise_id": victim.id}
    if slug == "certifications":
        forged.pop("status")  # a real field of certificates (valid / suspended ...), validated as a choice
    if slug in ("standards", "patents", "gi-products"):  # gi-products: status is a real field (培育中, 已申请...)
        forged.pop("status")
    if slug == "standards":
        forged.pop("role")
        forged["level"] = "international"  # derived from the number, never read from input
    if slug == "patents":
        forged["patent_type"] = "design"  # derived from the number, never read from input
    url = f"/api/v1/enterprises/{mine.id}/{slug}"
    response = client.post(url, json={**VALID_RECORDS[slug], **forged}, headers=bureau)
    assert response.status_code == 201, response.json
    record = response.json
    assert record["enterprise_id"] == mine.id and record["id"] != 987654
    obj = db.session.get(KINDS[slug].model, record["id"])
    assert _created_at(obj) > OLD
    assert client.get(f"/api/v1/enterprises/{victim.id}/{slug}", headers=bureau).json["total"] == 0

    patched = client.patch(f"{url}/{record['id']}", json=forged, headers=bureau)
    assert patched.status_code == 200, patched.json
    assert patched.json == record
    assert client.get(f"/api/v1/enterprises/{victim.id}/{slug}", headers=bureau).json["total"] == 0
