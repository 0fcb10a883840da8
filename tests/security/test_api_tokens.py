"""API tokens (issue 9, item 4): named, expiring, revocable by their owner or an administrator, revoked with every
password change, reset and deactivation, and stored only as a SHA-256 digest."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, text, update

from registry.auth.tokens import issue_token
from registry.extensions import db
from registry.models import ApiToken
from registry.models.base import utcnow
from tests.conftest import Auth

URL = "/api/v1/enterprises"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _post(client, path, data, page):
    return client.post(path, data={**data, "csrf_token": Auth(client).csrf(page)})


def test_a_password_change_revokes_every_token(client, auth, make_user):
    user = make_user("bureau")
    tokens = [issue_token(user, "a"), issue_token(user, "b")]
    assert all(client.get(URL, headers=bearer(t)).status_code == 200 for t in tokens)
    auth.login(user)
    answer = _post(client, "/account/password", {"current_password": Auth.PASSWORD,
                                                  "new_password": "another-long-secret"}, "/account/password")
    assert answer.status_code == 302
    assert [client.get(URL, headers=bearer(t)).status_code for t in tokens] == [401, 401]


def test_an_admin_reset_and_a_deactivation_revoke_every_token(app, client, auth, make_user):
    reset, disabled = make_user("bureau"), make_user("bureau")
    t_reset, t_disabled = issue_token(reset, "x"), issue_token(disabled, "y")
    auth.login(make_user("admin"))
    page = f"/admin/users/{reset.id}"
    assert _post(client, f"{page}/password", {"new_password": "reset-by-admin-1"}, page).status_code == 302
    page = f"/admin/users/{disabled.id}"
    assert _post(client, f"{page}/active", {"active": "0"}, page).status_code == 302
    assert client.get(URL, headers=bearer(t_reset)).status_code == 401
    # reactivating the account does not bring its old tokens back
    assert _post(client, f"{page}/active", {"active": "1"}, page).status_code == 302
    assert client.get(URL, headers=bearer(t_disabled)).status_code == 401


def test_an_expired_token_answers_401_and_the_default_lifetime_is_90_days(app, client, make_user):
    user = make_user("bureau")
    token = issue_token(user, "short")
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    lifetime = row.expires_at.replace(tzinfo=None) - row.created_at.replace(tzinfo=None)
    assert timedelta(days=89, hours=23) < lifetime <= timedelta(days=90, minutes=1)
    assert client.get(URL, headers=bearer(token)).status_code == 200
    db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(URL, headers=bearer(token)).status_code == 401


def test_the_owner_revokes_on_the_token_page_and_nobody_else_can(app, client, auth, make_user):
    owner, stranger = make_user("bureau"), make_user("enterprise")
    token = issue_token(owner, "统计对接")
    row_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == owner.id))

    other = Auth(app.test_client())
    other.login(stranger)
    assert "统计对接" not in other.client.get("/account/tokens").get_data(as_text=True)
    refused = _post(other.client, f"/account/tokens/{row_id}/revoke", {}, "/account/tokens")
    assert refused.status_code == 404
    assert client.get(URL, headers=bearer(token)).status_code == 200

    auth.login(owner)
    page = client.get("/account/tokens")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "统计对接" in html and "no-store" in page.headers["Cache-Control"]
    assert token not in html
    answer = _post(client, f"/account/tokens/{row_id}/revoke", {}, "/account/tokens")
    assert answer.status_code == 302
    assert client.get(URL, headers=bearer(token)).status_code == 401
    assert "已撤销" in client.get("/account/tokens").get_data(as_text=True)


def test_an_admin_issues_a_named_token_with_a_lifetime_and_revokes_it(app, client, auth, make_user):
    target = make_user("bureau")
    auth.login(make_user("admin"))
    page = f"/admin/users/{target.id}"
    bad = _post(client, f"{page}/token", {"label": "", "days": "9999"}, page)
    assert bad.status_code == 422
    assert "请填写令牌名称" in bad.get_data(as_text=True) and "有效期须为 1 至 365 天" in bad.get_data(as_text=True)
    shown = _post(client, f"{page}/token", {"label": "季度报送", "days": "7"}, page)
    token = shown.get_data(as_text=True).split('<code class="token">')[1].split("</code>")[0]
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == target.id))
    lifetime = row.expires_at.replace(tzinfo=None) - row.created_at.replace(tzinfo=None)
    assert row.label == "季度报送" and timedelta(days=6, hours=23) < lifetime <= timedelta(days=7, minutes=1)
    assert client.get(URL, headers=bearer(token)).status_code == 200
    assert "季度报送" in client.get(page).get_data(as_text=True)
    answer = _post(client, f"/account/tokens/{row.id}/revoke", {"next": page}, page)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(page)
    assert client.get(URL, headers=bearer(token)).status_code == 401


def test_cli_revoke_tokens(app, make_user):
    user = make_user("bureau")
    tokens = [issue_token(user, "a"), issue_token(user, "b")]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "revoke-tokens", user.email.upper()])
    assert result.exit_code == 0 and "revoked 2 token(s)" in result.output
    client = app.test_client()
    assert [client.get(URL, headers=bearer(t)).status_code for t in tokens] == [401, 401]
    assert runner.invoke(args=["users", "revoke-tokens", "nobody@example.cn"]).exit_code != 0
    fresh = runner.invoke(args=["users", "token", user.email, "--name", "etl", "--days", "30"]).output.strip()
    assert client.get(URL, headers=bearer(fresh)).status_code == 200


def test_the_database_holds_no_plain_token(app, make_user):
    token = issue_token(make_user("bureau"), "plain?")
    secret = token.removeprefix("qr_")
    found = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            for row in conn.execute(table.select()).all():
                if any(secret in str(value) for value in row):
                    found.append(table.name)
    assert not found, found
    assert db.session.scalar(text("select count(*) from api_tokens where token_hash like :t"),
                             {"t": f"%{secret}%"}) == 0
