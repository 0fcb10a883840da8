"""Who opens the administrator pages: administrators and bureau staff; everyone else gets 403."""
from __future__ import annotations

import pytest

PAGES = ["/admin/users", "/admin/users/new", "/admin/catalogues/jurisdictions",
         "/admin/catalogues/industries", "/admin/catalogues/jurisdictions/new", "/admin/settings",
         "/admin/settings/awards.notice.days"]


@pytest.mark.parametrize("role", ["admin", "bureau"])
def test_staff_open_every_page(client, auth, make_user, role):
    auth.login(make_user(role))
    assert client.get("/admin/").headers["Location"].endswith("/admin/users")
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("role", ["enterprise", "town", "expert"])
def test_other_roles_are_refused(client, auth, make_user, role):
    target = make_user("bureau")
    auth.login(make_user(role))
    for path in PAGES + ["/admin/", f"/admin/users/{target.id}"]:
        assert client.get(path).status_code == 403, path
    token = auth.csrf("/admin/users")  # the 403 page carries the session's token too
    for path in [f"/admin/users/{target.id}/active", f"/admin/users/{target.id}/password",
                 f"/admin/users/{target.id}/token", "/admin/users/new", "/admin/settings/awards.notice.days",
                 "/admin/catalogues/industries/new"]:
        assert client.post(path, data={"csrf_token": token, "active": "0", "new_password": "x" * 12,
                                       "value": "5", "code": "x", "name": "x"}).status_code == 403, path
    assert target.is_active_account


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_menu_entry_for_staff_only(client, auth, make_user):
    auth.login(make_user("admin"))
    assert "系统管理" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(make_user("town"))
    assert "系统管理" not in client.get("/").get_data(as_text=True)


def test_bureau_sees_but_does_not_change_accounts_or_settings(client, auth, make_user):
    target = make_user("enterprise")
    auth.login(make_user("bureau"))
    page = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert target.email in page and "重置密码" not in page and "停用账户" not in page
    token = auth.csrf("/admin/users")
    assert client.post(f"/admin/users/{target.id}/active", data={"csrf_token": token, "active": "0"}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/password",
                       data={"csrf_token": token, "new_password": "another-long-pass"}).status_code == 403
    assert client.post(f"/admin/users/{target.id}/token", data={"csrf_token": token}).status_code == 403
    assert client.post("/admin/settings/awards.notice.days", data={"csrf_token": token, "value": "5"}).status_code == 403
    assert "修改</a>" not in client.get("/admin/settings").get_data(as_text=True)
