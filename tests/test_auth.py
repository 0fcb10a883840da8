"""Sign-in, sessions, rate limits, CSRF and redirects."""
from __future__ import annotations

from registry.auth.views import safe_next


def test_login_and_logout(client, auth, make_user):
    user = make_user("bureau")
    resp = auth.login(user)
    assert resp.status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302  # back to the login page


def test_wrong_password_and_unknown_user_get_the_same_answer(client, auth, make_user):
    user = make_user("bureau")
    wrong = auth.login(user, "not-the-password").get_data(as_text=True)
    unknown = auth.login("nobody@example.cn", "not-the-password").get_data(as_text=True)
    assert "邮箱或密码不正确" in wrong and "邮箱或密码不正确" in unknown


def test_password_is_hashed_with_argon2id(make_user):
    user = make_user("bureau")
    assert user.password_hash.startswith("$argon2id$")


def test_login_rate_limited_per_account(client, auth, make_user):
    user = make_user("bureau")
    codes = [auth.login(user, f"wrong-{i}").status_code for i in range(7)]
    assert codes[:5] == [200] * 5
    assert codes[5] == 429 and codes[6] == 429


def test_cookie_replayed_after_logout_is_refused(app, make_user):
    user = make_user("bureau")
    c1 = app.test_client()
    from tests.conftest import Auth

    Auth(c1).login(user)
    cookie = c1.get_cookie("session").value
    Auth(c1).logout()
    c2 = app.test_client()
    c2.set_cookie("session", cookie, domain="localhost")
    assert c2.get("/").status_code == 302


def test_session_cookie_flags(client, auth, make_user):
    user = make_user("bureau")
    resp = auth.login(user)
    header = resp.headers.get("Set-Cookie")
    assert "HttpOnly" in header and "SameSite=Lax" in header


def test_post_without_csrf_token_is_refused(client, auth, make_user):
    user = make_user("bureau")
    auth.login(user)
    assert client.post("/logout").status_code == 400
    assert client.post("/login", data={"email": user.email, "password": auth.PASSWORD}).status_code == 400


def test_next_only_follows_local_paths(client, auth, make_user):
    assert safe_next("/enterprises?page=2") == "/enterprises?page=2"
    for bad in ("//evil.example", "https://evil.example/", "/\\evil.example", "evil.example", "javascript:alert(1)"):
        assert safe_next(bad) is None
    user = make_user("bureau")
    page = client.get("/login?next=//evil.example")
    from tests.conftest import csrf_token_from

    resp = client.post("/login", data={"email": user.email, "password": auth.PASSWORD, "next": "//evil.example",
                                       "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert resp.status_code == 302 and resp.headers["Location"] in ("/", "http://localhost/")


def test_password_change_ends_other_sessions(app, make_user):
    from tests.conftest import Auth

    user = make_user("bureau")
    a, b = app.test_client(), app.test_client()
    Auth(a).login(user)
    Auth(b).login(user)
    token = Auth(a).csrf("/account/password")
    resp = a.post("/account/password", data={"current_password": Auth.PASSWORD, "new_password": "another-long-pass",
                                              "csrf_token": token})
    assert resp.status_code == 302
    assert b.get("/").status_code == 302


def test_security_headers(client):
    resp = client.get("/login")
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"

