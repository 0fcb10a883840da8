"""/api/v1/enterprises/<id>/<kind>[/<record_id>] for every record kind."""
from __future__ import annotations

import pytest

from registry.records.kinds import KINDS
from tests.api.payloads import INVALID_FIELD, PATCHES, VALID_RECORDS
from tests.factories import EnterpriseFactory, jurisdiction

ALL = list(KINDS)
BUREAU_ONLY = ["credit-records", "incidents", "benefit-grades"]  # recorded by the authorities, read-only to the enterprise


@pytest.fixture
def bureau(make_user, api):
    return api(make_user("bureau"))


@pytest.fixture
def enterprise():
    return EnterpriseFactory()


def _url(enterprise_id: int, slug: str, record_id: int | None = None) -> str:
    return f"/api/v1/enterprises/{enterprise_id}/{slug}" + (f"/{record_id}" if record_id else "")


def test_every_kind_has_a_valid_payload():
    assert set(VALID_RECORDS) == set(KINDS) == set(PATCHES) == set(INVALID_FIELD)


@pytest.mark.parametrize("slug", ALL)
def test_create_list_get_patch_delete(client, bureau, enterprise, slug):
    created = client.post(_url(enterprise.id, slug), json=VALID_RECORDS[slug], headers=bureau)
    assert created.status_code == 201, created.json
    record = created.json
    assert record["enterprise_id"] == enterprise.id
    assert created.headers["Location"].endswith(_url(enterprise.id, slug, record["id"]))

    listing = client.get(_url(enterprise.id, slug), headers=bureau).json
    assert listing["total"] == 1 and listing["items"] == [record]
    assert client.get(created.headers["Location"], headers=bureau).json == record

    field, value, expected = PATCHES[slug]
    patched = client.patch(_url(enterprise.id, slug, record["id"]), json={field: value}, headers=bureau)
    assert patched.status_code == 200, patched.json
    assert patched.json[field] == expected
    untouched = {k: v for k, v in record.items() if k != field}
    assert {k: patched.json[k] for k in untouched} == untouched

    assert client.delete(_url(enterprise.id, slug, record["id"]), headers=bureau).status_code == 204
    assert client.get(_url(enterprise.id, slug, record["id"]), headers=bureau).status_code == 404
    assert client.get(_url(enterprise.id, slug), headers=bureau).json["total"] == 0


@pytest.mark.parametrize("slug", ALL)
def test_invalid_field_answers_422_naming_it(client, bureau, enterprise, slug):
    field, bad = INVALID_FIELD[slug]
    response = client.post(_url(enterprise.id, slug), json={**VALID_RECORDS[slug], field: bad}, headers=bureau)
    assert response.status_code == 422
    assert field in response.json["errors"], response.json
    assert client.get(_url(enterprise.id, slug), headers=bureau).json["total"] == 0


@pytest.mark.parametrize("slug", ALL)
def test_missing_required_fields_answer_422(client, bureau, enterprise, slug):
    response = client.post(_url(enterprise.id, slug), json={}, headers=bureau)
    assert response.status_code == 422
    required = {s.name for s in KINDS[slug].fields if s.required and not s.readonly}
    assert set(response.json["errors"]) == required


@pytest.mark.parametrize("slug", ALL)
def test_invalid_patch_changes_nothing(client, bureau, enterprise, slug):
    record = client.post(_url(enterprise.id, slug), json=VALID_RECORDS[slug], headers=bureau).json
    field, bad = INVALID_FIELD[slug]
    response = client.patch(_url(enterprise.id, slug, record["id"]), json={field: bad}, headers=bureau)
    assert response.status_code == 422 and field in response.json["errors"]
    assert client.get(_url(enterprise.id, slug, record["id"]), headers=bureau).json == record


@pytest.mark.parametrize("slug", [s for s in ALL if s != "standards"])
def test_duplicate_answers_409_with_existing_id(client, bureau, enterprise, slug):
    first = client.post(_url(enterprise.id, slug), json=VALID_RECORDS[slug], headers=bureau).json
    again = client.post(_url(enterprise.id, slug), json=VALID_RECORDS[slug], headers=bureau)
    assert again.status_code == 409
    assert again.json["existing_id"] == first["id"]
    assert enterprise.name in again.json["error"]


def test_duplicate_standard_for_the_same_enterprise_answers_409(client, bureau, enterprise):
    first = client.post(_url(enterprise.id, "standards"), json=VALID_RECORDS["standards"], headers=bureau).json
    again = client.post(_url(enterprise.id, "standards"), json=VALID_RECORDS["standards"], headers=bureau)
    assert again.status_code == 409 and again.json["existing_id"] == first["id"]


def test_a_standard_drafted_by_two_enterprises_is_shared(client, bureau, enterprise):
    other = EnterpriseFactory()
    a = client.post(_url(enterprise.id, "standards"), json=VALID_RECORDS["standards"], headers=bureau).json
    b = client.post(_url(other.id, "standards"), json={**VALID_RECORDS["standards"], "role": "participant"},
                    headers=bureau).json
    assert a["standard_id"] == b["standard_id"] and a["id"] != b["id"]
    assert a["number"] == "T/ZZB 2109-2021" and a["level"] == "group_zzb"


def test_patent_number_is_stored_normalised(client, bureau, enterprise):
    body = {**VALID_RECORDS["patents"], "number": "zl 2017 1060 1862.3"}
    response = client.post(_url(enterprise.id, "patents"), json=body, headers=bureau)
    assert response.status_code == 201 and response.json["number"] == "201710601862.3"
    assert response.json["patent_type"] == "invention"


def test_certificate_status_is_computed(client, bureau, enterprise):
    body = {**VALID_RECORDS["certifications"], "issued_on": "2015-01-01", "expires_on": "2018-01-01"}
    response = client.post(_url(enterprise.id, "certifications"), json=body, headers=bureau)
    assert response.json["status"] == "valid" and response.json["effective_status"] == "expired"


def test_cross_field_rule_names_the_later_field(client, bureau, enterprise):
    body = {**VALID_RECORDS["certifications"], "expires_on": "2020-01-01"}
    response = client.post(_url(enterprise.id, "certifications"), json=body, headers=bureau)
    assert response.status_code == 422 and "expires_on" in response.json["errors"]


def test_unknown_kind_answers_404(client, bureau, enterprise):
    assert client.get(_url(enterprise.id, "secrets"), headers=bureau).status_code == 404
    assert client.post(_url(enterprise.id, "secrets"), json={}, headers=bureau).status_code == 404


@pytest.mark.parametrize("slug", ALL)
def test_enterprise_account_writes_its_own_records_except_bureau_only_kinds(client, make_user, api, slug):
    owner = make_user("enterprise")
    response = client.post(_url(owner.enterprise_id, slug), json=VALID_RECORDS[slug], headers=api(owner))
    assert response.status_code == (403 if slug in BUREAU_ONLY else 201), response.json
    assert client.get(_url(owner.enterprise_id, slug), headers=api(owner)).status_code == 200


@pytest.mark.parametrize("slug", ALL)
def test_town_reviewer_reads_its_jurisdiction_only_and_never_writes(client, bureau, make_user, api, slug):
    du_qiao = jurisdiction("331082112")
    inside, outside = EnterpriseFactory(jurisdiction=du_qiao), EnterpriseFactory(jurisdiction=jurisdiction("331082001"))
    record = client.post(_url(inside.id, slug), json=VALID_RECORDS[slug], headers=bureau).json
    town = api(make_user("town", jurisdiction=du_qiao))
    assert client.get(_url(inside.id, slug, record["id"]), headers=town).status_code == 200
    assert client.post(_url(inside.id, slug), json=VALID_RECORDS[slug], headers=town).status_code == 403
    assert client.patch(_url(inside.id, slug, record["id"]), json={}, headers=town).status_code == 403
    assert client.delete(_url(inside.id, slug, record["id"]), headers=town).status_code == 403
    assert client.get(_url(outside.id, slug), headers=town).status_code == 404


@pytest.mark.parametrize("slug", ALL)
def test_a_record_is_reached_only_through_its_own_enterprise(client, bureau, make_user, api, slug):
    theirs = EnterpriseFactory()
    record = client.post(_url(theirs.id, slug), json=VALID_RECORDS[slug], headers=bureau).json
    owner = make_user("enterprise")
    headers = api(owner)
    # Own enterprise in the URL, the other enterprise's record id: still 404 (403 for kinds the enterprise may
    # never write, whatever the id), and nothing changes.
    write = 403 if slug in BUREAU_ONLY else 404
    assert client.get(_url(owner.enterprise_id, slug, record["id"]), headers=headers).status_code == 404
    assert client.patch(_url(owner.enterprise_id, slug, record["id"]), json={}, headers=headers).status_code == write
    assert client.delete(_url(owner.enterprise_id, slug, record["id"]), headers=headers).status_code == write
    assert client.get(_url(theirs.id, slug, record["id"]), headers=headers).status_code == 404
    assert client.get(_url(theirs.id, slug, record["id"]), headers=bureau).json == record


@pytest.mark.parametrize("slug, field, value", [
    ("honours", "year", "2022"), ("honours", "year", 2022.5), ("honours", "year", True),
    ("trademarks", "madrid", "yes"), ("trademarks", "mark", 123), ("patents", "title", ["一种阀门"]),
    ("certifications", "issued_on", 20220101), ("incidents", "kind", {"code": "safety"}),
])
def test_json_types_follow_the_published_schema(client, bureau, enterprise, slug, field, value):
    response = client.post(_url(enterprise.id, slug), json={**VALID_RECORDS[slug], field: value}, headers=bureau)
    assert response.status_code == 422 and set(response.json["errors"]) == {field}
