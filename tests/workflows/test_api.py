"""/api/v1 applications: create, read, act (200/403/404/409/422) and the inbox."""
from __future__ import annotations


def test_api_round_trip(client, api, cast):
    body = {"workflow": "pinzibiao", "fields": {"product": "阀门", "standard_proposal": "工业阀门",
                                                  "self_assessment": "自评"}}
    created = client.post("/api/v1/applications", json=body, headers=api(cast.applicant))
    assert created.status_code == 201, created.get_json()
    app_id = created.get_json()["id"]
    again = client.post("/api/v1/applications", json=body, headers={**api(cast.applicant), "Idempotency-Key": "k1"})
    same = client.post("/api/v1/applications", json=body, headers={**api(cast.applicant), "Idempotency-Key": "k1"})
    assert again.get_json()["id"] == same.get_json()["id"]

    shown = client.get(f"/api/v1/applications/{app_id}", headers=api(cast.applicant)).get_json()
    assert (shown["workflow"], shown["stage"], shown["status"], shown["version"]) == ("pinzibiao", "apply", "draft", 1)
    assert [a["action"] for a in shown["allowed_actions"]] == ["submit", "withdraw"]
    assert shown["history"][0]["action"] == "create"

    ok = client.post(f"/api/v1/applications/{app_id}/actions", json={"action": "submit", "version": 1},
                     headers=api(cast.applicant))
    assert ok.status_code == 200 and ok.get_json()["stage"] == "town_recommendation"
    town = api(cast.town)
    inbox = client.get("/api/v1/inbox", headers=town).get_json()
    assert [i["id"] for i in inbox["items"]] == [app_id] and inbox["items"][0]["working_days_left"] is not None
    assert client.get("/api/v1/inbox", headers=api(cast.other_town)).get_json()["items"] == []

    url = f"/api/v1/applications/{app_id}/actions"
    assert client.post(url, json={"action": "recommend", "version": 2}, headers=api(cast.bureau)).status_code == 403
    assert client.post(url, json={"action": "recommend", "version": 2},
                       headers=api(cast.other_town)).status_code == 404
    assert client.post(url, json={"action": "recommend"}, headers=api(cast.other_town)).status_code == 404
    assert client.post(url, data="nonsense", headers=api(cast.other_town)).status_code == 404
    assert client.post("/api/v1/applications/999999/actions", json={"action": "recommend", "version": 2},
                       headers=town).status_code == 404
    assert client.post(url, json={"action": "reject", "version": 2}, headers=town).status_code == 422
    assert client.post(url, json={"action": "recommend"}, headers=town).status_code == 422
    assert client.post(url, data="nonsense", headers=town).status_code == 422
    assert client.post(url, json={"action": "recommend", "version": 1}, headers=town).status_code == 409
    assert client.post(url, json={"action": "recommend", "version": 2}, headers=town).status_code == 200
    lost = client.post(url, json={"action": "recommend", "version": 2}, headers=town)
    assert lost.status_code == 409 and lost.get_json()["error"] == "已被他人处理"
    assert client.get("/api/v1/applications/999999", headers=town).status_code == 404


def test_api_refuses_mass_assignment(client, api, cast):
    body = {"workflow": "pinzibiao", "enterprise_id": cast.other_applicant.enterprise_id,
            "fields": {"product": "阀门", "status": "done", "stage": "certified"}}
    created = client.post("/api/v1/applications", json=body, headers=api(cast.applicant)).get_json()
    assert (created["enterprise_id"], created["status"], created["stage"]) == (cast.enterprise.id, "draft", "apply")
