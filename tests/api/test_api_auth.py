"""Bearer tokens on /api/v1: 401 without a valid one, cookies never count, and no CSRF token is needed."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from registry.extensions import db
from registry.models import ApiToken
from tests.api.payloads import enterprise_body
from tests.factories import EnterpriseFactory

URL = "/api/v1/enterprises"


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer"}, {"Authorization": "Bearer qr_not-a-real-token"},
    {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "token qr_x"}, {"Authorization": "Bearer " + "x" * 5000},
])
def test_missing_or_bad_token_answers_401(client, headers):
    e = EnterpriseFactory()
    for method, url in (("get", URL), ("post", URL), ("get", f"{URL}/{e.id}"), ("patch", f"{URL}/{e.id}"),
                        ("delete", f"{URL}/{e.id}"), ("get", f"{URL}/{e.id}/patents"),
                        ("post", f"{URL}/{e.id}/patents"), ("delete", f"{URL}/{e.id}/patents/1")):
        response = getattr(client, method)(url, json={}, headers=headers)
        assert response.status_code == 401, (method, url)
        assert response.json["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_and_inactive_user_answer_401(client, make_user, api):
    user = make_user("bureau")
    headers = api(user)
    assert client.get(URL, headers=headers).status_code == 200
    db.session.execute(update(ApiToken).values(revoked=True))
    db.session.commit()
    assert client.get(URL, headers=headers).status_code == 401
    other = make_user("bureau", is_active_account=False)
    assert client.get(URL, headers=api(other)).status_code == 401


def test_a_signed_in_browser_session_is_not_an_api_credential(client, auth, make_user):
    user = make_user("bureau")
    auth.login(user)
    assert client.get("/").status_code == 200  # signed in on the web
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=enterprise_body()).status_code == 401


def test_token_calls_need_no_csrf_token(app, client, make_user, api):
    assert app.config["WTF_CSRF_ENABLED"]
    headers = api(make_user("bureau"))
    created = client.post(URL, json=enterprise_body(), headers=headers)
    assert created.status_code == 201
    url = created.headers["Location"]
    assert client.patch(url, json={"name": "改名有限公司"}, headers=headers).status_code == 200
    assert client.post(f"{url}/patents", json={"number": "201710601862.3", "title": "一种阀门", "status": "granted"},
                       headers=headers).status_code == 201
    assert client.delete(url, headers=headers).status_code == 204
