"""Accounts whose password someone else chose (created by staff or the expert pool, reset by an administrator)
must change it at their next sign-in: every page leads to the change-password page until they have (issue 12,
item 1)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from registry.awards import pool
from registry.extensions import db
from registry.models import User
from tests.conftest import Auth

TEMPORARY, CHOSEN = "temporary-pass-1", "my-own-secret-22"


def _post(client, path, data, page):
    return client.post(path, data={**data, "csrf_token": Auth(client).csrf(page)})


def _must_change(app, email: str, password: str) -> Auth:
    """Sign in and find every page leading to the change-password page."""
    person = Auth(app.test_client())
    answer = person.login(email, password)
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/account/password")
    for path in ("/", "/account/tokens", "/admin/users", "/workflows/"):
        visit = person.client.get(path)
        assert visit.status_code == 302 and visit.headers["Location"].endswith("/account/password"), path
    page = person.client.get("/account/password")
    assert page.status_code == 200 and "请先设置只有您自己知道的新密码" in page.get_data(as_text=True)
    return person


def _change(person: Auth, current: str, new: str):
    return _post(person.client, "/account/password", {"current_password": current, "new_password": new},
                 "/account/password")


def test_an_account_created_by_an_administrator_changes_its_password_first(app, client, auth, make_user):
    auth.login(make_user("admin"))
    created = _post(client, "/admin/users/new", {"email": "new.bureau@example.cn", "display_name": "新同事",
                                                 "role": "bureau", "enterprise": "", "jurisdiction": "", "phone": "",
                                                 "password": TEMPORARY}, "/admin/users/new")
    assert created.status_code == 302
    person = _must_change(app, "new.bureau@example.cn", TEMPORARY)
    same = _change(person, TEMPORARY, TEMPORARY)
    assert same.status_code == 422 and "新密码不能与当前密码相同" in same.get_data(as_text=True)
    assert _change(person, TEMPORARY, CHOSEN).status_code == 302
    assert not db.session.scalar(select(User.must_change_password).where(User.email == "new.bureau@example.cn"))
    again = Auth(app.test_client())
    assert again.login("new.bureau@example.cn", CHOSEN).headers["Location"].endswith("/")
    assert again.client.get("/").status_code == 200


def test_an_expert_account_from_the_pool_and_an_admin_reset_are_flagged(app, client, auth, make_user):
    bureau = make_user("bureau")
    expert = pool.create_expert(bureau, name="李明", title="高级工程师", employer="台州学院", specialties="机械",
                                can_lead=True)
    pool.create_account(bureau, expert.id, "liming@example.cn", TEMPORARY, None, datetime.now(timezone.utc))
    person = _must_change(app, "liming@example.cn", TEMPORARY)
    assert _change(person, TEMPORARY, CHOSEN).status_code == 302

    veteran = make_user("town")  # chose their own password long ago
    assert Auth(app.test_client()).login(veteran).headers["Location"].endswith("/")
    auth.login(make_user("admin"))
    page = f"/admin/users/{veteran.id}"
    assert _post(client, f"{page}/password", {"new_password": TEMPORARY}, page).status_code == 302
    _must_change(app, veteran.email, TEMPORARY)


def test_users_who_chose_their_password_are_not_asked(app, make_user):
    user = make_user("enterprise")
    answer = Auth(app.test_client()).login(user)
    assert answer.status_code == 302 and not answer.headers["Location"].endswith("/account/password")
