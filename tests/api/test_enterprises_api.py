"""/api/v1/enterprises: list with filters and paging, create, read, partial update with versions, delete."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import Enterprise
from tests.api.payloads import enterprise_body
from tests.factories import (CertificationFactory, CreditRecordFactory, EnterpriseFactory, industry, jurisdiction,
                             make_uscc)

URL = "/api/v1/enterprises"


@pytest.fixture
def bureau(make_user, api):
    return api(make_user("bureau"))


def _names(response) -> set[str]:
    assert response.status_code == 200, response.json
    return {item["name"] for item in response.json["items"]}


def test_list_has_items_total_page_per_page(client, bureau):
    for _ in range(3):
        EnterpriseFactory()
    body = client.get(URL, headers=bureau).json
    assert set(body) == {"items", "total", "page", "per_page"}
    assert body["total"] == 3 and body["page"] == 1 and body["per_page"] == 20
    item = body["items"][0]
    for key in ("id", "name", "uscc", "jurisdiction", "industry", "above_scale", "version"):
        assert key in item
    assert item["jurisdiction"] == "331082001" and item["jurisdiction_name"] == "古城街道"


def test_pagination_is_stable_and_complete(client, bureau):
    for n in range(7):
        EnterpriseFactory(name=f"分页企业{n:02d}")
    pages = [client.get(f"{URL}?per_page=3&page={p}", headers=bureau).json for p in (1, 2, 3)]
    assert [len(p["items"]) for p in pages] == [3, 3, 1]
    assert all(p["total"] == 7 and p["per_page"] == 3 for p in pages)
    names = [i["name"] for p in pages for i in p["items"]]
    assert names == sorted(names) and len(set(names)) == 7


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"), ("page=abc", "page"), ("page=-1", "page"), ("page=1.5", "page"),
    ("page=99999999999999999999999", "page"), ("per_page=0", "per_page"), ("per_page=201", "per_page"),
    ("per_page=x", "per_page"), ("sort=password", "sort"), ("direction=sideways", "direction"),
    ("above_scale=maybe", "above_scale"), ("credit=x", "credit"), ("pinzibiao=2", "pinzibiao"),
])
def test_bad_query_parameters_answer_422_naming_the_field(client, bureau, query, field):
    response = client.get(f"{URL}?{query}", headers=bureau)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_filters(client, bureau):
    du_qiao, gu_cheng = jurisdiction("331082112"), jurisdiction("331082001")
    a = EnterpriseFactory(name="杜桥眼镜有限公司", jurisdiction=du_qiao, industry=industry("fashion_leisure"),
                          above_scale=False)
    b = EnterpriseFactory(name="古城阀门有限公司", jurisdiction=gu_cheng, industry=industry("auto_machinery"))
    CertificationFactory(enterprise=b, issued_on=dt.date.today() - dt.timedelta(days=30),
                         expires_on=dt.date.today() + dt.timedelta(days=300))
    CreditRecordFactory(enterprise=a, listed_on=dt.date.today() - dt.timedelta(days=3))
    get = lambda q: _names(client.get(f"{URL}?{q}", headers=bureau))  # noqa: E731
    assert get("q=眼镜") == {a.name}
    assert get(f"q={b.uscc.lower()}") == {b.name}
    assert get("jurisdiction=331082112") == {a.name}
    assert get("industry=auto_machinery") == {b.name}
    assert get("above_scale=0") == {a.name} and get("above_scale=true") == {b.name}
    assert get("pinzibiao=1") == {b.name} and get("pinzibiao=0") == {a.name}
    assert get("credit=listed") == {a.name} and get("credit=clean") == {b.name}
    assert get("jurisdiction=331082112&industry=auto_machinery") == set()
    assert get("q=%25") == set()  # LIKE wildcards are literal
    desc = client.get(f"{URL}?sort=name&direction=desc", headers=bureau).json["items"]
    assert [i["name"] for i in desc] == sorted([a.name, b.name], reverse=True)


def test_list_is_scoped_by_role(client, make_user, api):
    du_qiao = jurisdiction("331082112")
    mine = EnterpriseFactory(jurisdiction=du_qiao)
    EnterpriseFactory(jurisdiction=jurisdiction("331082001"))
    town = make_user("town", jurisdiction=du_qiao)
    owner = make_user("enterprise", enterprise=mine)
    expert = make_user("expert")
    assert [i["id"] for i in client.get(URL, headers=api(town)).json["items"]] == [mine.id]
    assert [i["id"] for i in client.get(URL, headers=api(owner)).json["items"]] == [mine.id]
    assert client.get(URL, headers=api(expert)).json["total"] == 0


def test_create_answers_201_with_location(client, bureau):
    response = client.post(URL, json=enterprise_body(), headers=bureau)
    assert response.status_code == 201, response.json
    body = response.json
    assert response.headers["Location"].endswith(f"{URL}/{body['id']}")
    assert body["jurisdiction"] == "331082112" and body["industry"] == "auto_machinery"
    assert body["established_on"] == "2012-03-04" and body["version"] == 1
    assert client.get(response.headers["Location"], headers=bureau).json == body


def test_create_accepts_jurisdiction_by_name(client, bureau):
    response = client.post(URL, json=enterprise_body(jurisdiction="杜桥镇"), headers=bureau)
    assert response.status_code == 201 and response.json["jurisdiction"] == "331082112"


def test_create_invalid_answers_422_by_field(client, bureau):
    response = client.post(URL, json={"name": "", "uscc": "123", "jurisdiction": "999", "industry": "x",
                                      "established_on": "2020-02-30"}, headers=bureau)
    assert response.status_code == 422
    errors = response.json["errors"]
    assert set(errors) >= {"name", "uscc", "jurisdiction", "industry", "established_on"}
    assert all(isinstance(m, list) and m and isinstance(m[0], str) for m in errors.values())
    assert db.session.scalar(select(func.count(Enterprise.id))) == 0


def test_duplicate_credit_code_answers_409_naming_the_existing(client, bureau):
    existing = EnterpriseFactory()
    response = client.post(URL, json=enterprise_body(uscc=existing.uscc.lower()), headers=bureau)
    assert response.status_code == 409
    assert response.json["existing_id"] == existing.id
    assert existing.name in response.json["error"]


def test_failed_check_character_needs_a_reason(client, bureau):
    good = make_uscc(77)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert client.post(URL, json=enterprise_body(uscc=bad), headers=bureau).status_code == 422
    response = client.post(URL, json=enterprise_body(uscc=bad, uscc_override_reason="登记机关核实为真实代码"),
                           headers=bureau)
    assert response.status_code == 201 and response.json["uscc_override_reason"]


@pytest.mark.parametrize("role", ["town", "enterprise", "expert"])
def test_only_bureau_creates(client, make_user, api, role):
    response = client.post(URL, json=enterprise_body(), headers=api(make_user(role)))
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Enterprise.id))) == (1 if role == "enterprise" else 0)


def test_get_unknown_answers_404(client, bureau):
    assert client.get(f"{URL}/424242", headers=bureau).status_code == 404


def test_patch_is_partial(client, bureau):
    e = EnterpriseFactory(contact_phone="0576-1")
    response = client.patch(f"{URL}/{e.id}", json={"name": "新名称有限公司"}, headers=bureau)
    assert response.status_code == 200, response.json
    assert response.json["name"] == "新名称有限公司"
    assert response.json["contact_phone"] == "0576-1" and response.json["uscc"] == e.uscc
    assert response.json["version"] == 2


def test_patch_with_stale_version_answers_409(client, bureau):
    e = EnterpriseFactory()
    assert client.patch(f"{URL}/{e.id}", json={"name": "一", "version": 1}, headers=bureau).status_code == 200
    stale = client.patch(f"{URL}/{e.id}", json={"name": "二", "version": 1}, headers=bureau)
    assert stale.status_code == 409
    assert client.get(f"{URL}/{e.id}", headers=bureau).json["name"] == "一"
    assert client.patch(f"{URL}/{e.id}", json={"version": "1"}, headers=bureau).status_code == 422


def test_patch_invalid_answers_422(client, bureau):
    e = EnterpriseFactory()
    response = client.patch(f"{URL}/{e.id}", json={"name": None, "industry": "x"}, headers=bureau)
    assert response.status_code == 422 and set(response.json["errors"]) == {"name", "industry"}


def test_patch_duplicate_credit_code_answers_409(client, bureau):
    a, b = EnterpriseFactory(), EnterpriseFactory()
    response = client.patch(f"{URL}/{b.id}", json={"uscc": a.uscc}, headers=bureau)
    assert response.status_code == 409 and response.json["existing_id"] == a.id


def test_enterprise_account_edits_its_own_record_but_not_its_code(client, make_user, api):
    owner = make_user("enterprise")
    own = owner.enterprise
    response = client.patch(f"{URL}/{own.id}", json={"contact_name": "李四", "uscc": make_uscc(5),
                                                      "jurisdiction": "331082112"}, headers=api(owner))
    assert response.status_code == 200
    assert response.json["contact_name"] == "李四"
    assert response.json["uscc"] == own.uscc and response.json["jurisdiction"] == own.jurisdiction.code


def test_town_reviewer_reads_but_cannot_write(client, make_user, api):
    e = EnterpriseFactory()
    town = api(make_user("town", jurisdiction=e.jurisdiction))
    assert client.get(f"{URL}/{e.id}", headers=town).status_code == 200
    assert client.patch(f"{URL}/{e.id}", json={"name": "x"}, headers=town).status_code == 403
    assert client.delete(f"{URL}/{e.id}", headers=town).status_code == 403


def test_delete(client, bureau, make_user, api):
    e = EnterpriseFactory()
    url = f"{URL}/{e.id}"
    owner = make_user("enterprise", enterprise=e)
    assert client.delete(url, headers=api(owner)).status_code == 403
    response = client.delete(url, headers=bureau)
    assert response.status_code == 204 and response.data == b""
    assert client.get(url, headers=bureau).status_code == 404
    assert client.delete(url, headers=bureau).status_code == 404


@pytest.mark.parametrize("data, content_type", [
    ("not json", "application/json"), ("[1, 2]", "application/json"), ('"text"', "application/json"),
    ("", "application/json"), ("name=x", "application/x-www-form-urlencoded"), ("null", "application/json"),
])
def test_body_that_is_not_a_json_object_answers_422(client, bureau, data, content_type):
    e = EnterpriseFactory()
    for method, url in (("post", URL), ("patch", f"{URL}/{e.id}")):
        response = getattr(client, method)(url, data=data, content_type=content_type, headers=bureau)
        assert response.status_code == 422 and "body" in response.json["errors"]


@pytest.mark.parametrize("field, value", [("name", 123), ("uscc", ["x"]), ("above_scale", "yes"),
                                          ("jurisdiction", 331082112), ("established_on", {"y": 2020})])
def test_json_types_follow_the_published_schema(client, bureau, field, value):
    response = client.post(URL, json=enterprise_body(**{field: value}), headers=bureau)
    assert response.status_code == 422 and set(response.json["errors"]) == {field}
