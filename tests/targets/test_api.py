"""GET /api/v1/targets and /api/v1/targets/<code>/records: shape, filters, errors, roles."""
from __future__ import annotations

import datetime as dt

from tests.factories import industry, jurisdiction
from tests.targets.factories import EnterpriseFactory, HonourFactory, TrademarkFactory


def test_targets_shape_and_filters(client, make_user, api, indicators):
    duqiao = jurisdiction("331082112")
    ent = EnterpriseFactory(jurisdiction=duqiao, industry=industry("medical_health"))
    HonourFactory(enterprise=ent, honour_type="qianjiang_cup", year=2022, awarded_on=dt.date(2022, 4, 1))
    HonourFactory(honour_type="qianjiang_cup", year=2023, awarded_on=dt.date(2023, 4, 1))
    TrademarkFactory(enterprise=ent, madrid=True, madrid_registered_on=dt.date(2021, 9, 1))
    headers = api(make_user("bureau"))
    body = client.get("/api/v1/targets?as_of=2024-06-30", headers=headers).get_json()
    assert isinstance(body, list) and len(body) == 28
    by_code = {item["code"]: item for item in body}
    assert set(by_code["T2-05"]) >= {"code", "name", "unit", "kind", "target", "value", "by_year"}
    assert by_code["T2-05"]["value"] == 2
    assert by_code["T2-05"]["by_year"] == {"2021": 0, "2022": 1, "2023": 1, "2024": 0, "2025": None}
    assert (by_code["T2-25"]["unit"], by_code["T2-25"]["target"], by_code["T2-25"]["registry_count"]) == ("万件", "4.3", 1)
    assert by_code["T2-27"]["value"] == 1
    town = {i["code"]: i for i in client.get("/api/v1/targets?as_of=2024-06-30&jurisdiction=331082112",
                                             headers=headers).get_json()}
    assert town["T2-05"]["value"] == 1
    ind = {i["code"]: i for i in client.get("/api/v1/targets?as_of=2024-06-30&industry=fashion_leisure",
                                            headers=headers).get_json()}
    assert ind["T2-05"]["value"] == 0
    records = client.get("/api/v1/targets/T2-05/records?as_of=2024-06-30", headers=headers).get_json()
    assert records["count"] == len(records["items"]) == by_code["T2-05"]["value"]
    assert records["items"][0]["enterprises"][0]["name"] == ent.name
    one_year = client.get("/api/v1/targets/T2-05/records?as_of=2024-06-30&year=2023", headers=headers).get_json()
    assert one_year["count"] == 1
    assert client.get(by_code["T2-05"]["records"], headers=headers).get_json()["count"] == 2


def test_errors(client, make_user, api, indicators):
    headers = api(make_user("admin"))
    bad = client.get("/api/v1/targets?as_of=2024-02-30", headers=headers)
    assert bad.status_code == 422 and "as_of" in bad.get_json()["errors"]
    assert client.get("/api/v1/targets?jurisdiction=999", headers=headers).status_code == 422
    assert client.get("/api/v1/targets?industry=steel", headers=headers).status_code == 422
    assert client.get("/api/v1/targets/T2-05/records?year=abc", headers=headers).status_code == 422
    assert client.get("/api/v1/targets/T2-05/records?year=2030", headers=headers).status_code == 422
    assert client.get("/api/v1/targets/NOPE/records", headers=headers).status_code == 404
    assert client.get("/api/v1/targets/T2-02/records", headers=headers).status_code == 404  # reported
    assert client.get("/api/v1/targets").status_code == 401
    assert client.get("/api/v1/targets", headers={"Authorization": "Bearer qr_wrong"}).status_code == 401
    for role in ("enterprise", "town", "expert"):
        user_headers = api(make_user(role))
        assert client.get("/api/v1/targets", headers=user_headers).status_code == 403, role
        assert client.get("/api/v1/targets/T2-05/records", headers=user_headers).status_code == 403, role


def test_filtered_figures_show_a_share_but_no_pace(client, make_user, api, indicators):
    HonourFactory(enterprise=EnterpriseFactory(jurisdiction=jurisdiction("331082112")), honour_type="qianjiang_cup",
                  year=2022, awarded_on=dt.date(2022, 4, 1))
    headers = api(make_user("bureau"))
    city = {i["code"]: i for i in client.get("/api/v1/targets?as_of=2024-06-30", headers=headers).get_json()}
    town = {i["code"]: i for i in client.get("/api/v1/targets?as_of=2024-06-30&jurisdiction=331082112",
                                             headers=headers).get_json()}
    assert city["T2-05"]["on_pace"] is False and city["T2-05"]["projection"] is not None
    assert town["T2-05"]["share"] == 0.1 and town["T2-05"]["on_pace"] is None and town["T2-05"]["projection"] is None
