"""Accounts through the administrator pages: create for each role, errors on the form, deactivate, reset, tokens."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.models import ApiToken, User, UserSession
from tests.admin.conftest import post
from tests.conftest import Auth
from tests.factories import EnterpriseFactory, jurisdiction

PASSWORD = "initial-pass-123"


def _create(client, auth, **fields):
    data = {"email": "", "display_name": "", "role": "", "enterprise": "", "jurisdiction": "", "phone": "",
            "password": PASSWORD, **fields}
    return post(client, auth, "/admin/users/new", data)


@pytest.mark.parametrize("role", ["enterprise", "town", "bureau", "expert", "admin"])
def test_admin_creates_each_role_and_the_account_signs_in(app, client, auth, make_user, role):
    enterprise = EnterpriseFactory()
    town = jurisdiction()
    auth.login(make_user("admin"))
    response = _create(client, auth, email=f"New.{role}@Example.cn", display_name="新用户", role=role,
                       enterprise=f" {enterprise.uscc.lower()} ", jurisdiction=town.code, phone="13800000000")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == f"new.{role}@example.cn"))
    assert user.role == role and user.display_name == "新用户" and user.phone == "13800000000"
    assert user.enterprise_id == (enterprise.id if role == "enterprise" else None)
    assert user.jurisdiction_id == (town.id if role == "town" else None)
    assert user.must_change_password  # staff chose it: the user sets their own first
    other = Auth(app.test_client())
    assert other.login(user.email, PASSWORD).headers["Location"].endswith("/account/password")
    assert other.client.post("/account/password", data={"current_password": PASSWORD, "new_password": "own-choice-123",
                                                        "csrf_token": other.csrf("/account/password")}).status_code == 302
    assert other.login(user.email, "own-choice-123").status_code == 302
    home = other.client.get("/")
    assert home.status_code == 200 or "/enterprises/" in home.headers["Location"]  # enterprise users land on theirs


@pytest.mark.parametrize("fields, field_name, message", [
    ({"role": "enterprise", "enterprise": "91350100M000100Y43"}, "enterprise", "未找到统一社会信用代码为 91350100M000100Y43"),
    ({"role": "enterprise", "enterprise": ""}, "enterprise", "企业用户必须关联已登记的企业"),
    ({"role": "town", "jurisdiction": ""}, "jurisdiction", "镇街审核员必须关联镇街"),
    ({"role": "expert", "password": "short"}, "password", "密码至少 10 位"),
    ({"role": "", "password": PASSWORD}, "role", "角色必须是"),
    ({"role": "expert", "email": "not-an-email"}, "email", "请输入有效的电子邮箱"),
])
def test_create_errors_are_shown_on_the_form_with_input_kept(client, auth, make_user, fields, field_name, message):
    auth.login(make_user("admin"))
    data = {"email": "keep.me@example.cn", "display_name": "保留的姓名", "phone": "13900000000", **fields}
    response = _create(client, auth, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html
    assert 'value="保留的姓名"' in html and 'value="13900000000"' in html
    if data["email"] == "keep.me@example.cn":
        assert 'value="keep.me@example.cn"' in html
    if data.get("enterprise"):
        assert f'value="{data["enterprise"]}"' in html
    assert PASSWORD not in html  # a password is never echoed back
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_duplicate_email_is_a_field_error(client, auth, make_user):
    existing = make_user("expert")
    auth.login(make_user("admin"))
    response = _create(client, auth, email=existing.email.upper(), display_name="重复", role="expert")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "已被使用" in html and 'value="重复"' in html


def test_bureau_creates_enterprise_town_expert_but_not_staff(client, auth, make_user):
    auth.login(make_user("bureau"))
    assert _create(client, auth, email="x@example.cn", role="expert").status_code == 302
    for role in ("bureau", "admin"):
        assert _create(client, auth, email=f"{role}2@example.cn", role=role).status_code == 403
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="admin"' not in page and 'value="bureau"' not in page


def test_list_filters_by_role_and_search(client, auth, make_user):
    make_user("expert", email="zhang@example.cn", display_name="张专家")
    make_user("town", email="li@example.cn", display_name="李审核")
    auth.login(make_user("admin", email="root@example.cn"))
    html = client.get("/admin/users?role=expert").get_data(as_text=True)
    assert "zhang@example.cn" in html and "li@example.cn" not in html
    html = client.get("/admin/users?q=李审").get_data(as_text=True)
    assert "li@example.cn" in html and "zhang@example.cn" not in html
    html = client.get("/admin/users?q=%25&role=nonsense").get_data(as_text=True)  # LIKE wildcard is literal
    assert "没有符合条件的用户" in html


def test_deactivation_ends_an_open_session_and_reactivation_restores_sign_in(app, client, auth, make_user):
    victim = make_user("expert")
    other = Auth(app.test_client())
    other.login(victim)
    assert other.client.get("/admin/users").status_code == 403  # signed in (403, not a login redirect)
    auth.login(make_user("admin"))
    assert post(client, auth, f"/admin/users/{victim.id}/active", {"active": "0"},
                page=f"/admin/users/{victim.id}").status_code == 302
    assert db.session.scalar(select(func.count(UserSession.id)).where(UserSession.user_id == victim.id)) == 0
    assert other.client.get("/admin/users").status_code == 302  # anonymous now: sent to sign in
    assert other.login(victim).status_code == 200  # a disabled account cannot sign in (form shown again)
    post(client, auth, f"/admin/users/{victim.id}/active", {"active": "1"}, page=f"/admin/users/{victim.id}")
    assert Auth(app.test_client()).login(victim).status_code == 302


def test_admin_cannot_deactivate_self(client, auth, make_user):
    me = make_user("admin")
    auth.login(me)
    assert post(client, auth, f"/admin/users/{me.id}/active", {"active": "0"}, page="/admin/users").status_code == 403


def test_reset_password_ends_sessions_and_old_password_fails(app, client, auth, make_user):
    victim = make_user("town")
    other = Auth(app.test_client())
    other.login(victim)
    auth.login(make_user("admin"))
    short = post(client, auth, f"/admin/users/{victim.id}/password", {"new_password": "short"},
                 page=f"/admin/users/{victim.id}")
    assert short.status_code == 422 and "密码至少 10 位" in short.get_data(as_text=True)
    assert other.client.get("/admin/users").status_code == 403  # a refused reset leaves the session alone
    response = post(client, auth, f"/admin/users/{victim.id}/password", {"new_password": "brand-new-secret"},
                    page=f"/admin/users/{victim.id}")
    assert response.status_code == 302
    assert other.client.get("/admin/users").status_code == 302  # that session is over
    fresh = Auth(app.test_client())
    assert fresh.login(victim, Auth.PASSWORD).status_code != 302
    assert fresh.login(victim, "brand-new-secret").status_code == 302


def test_token_is_shown_once_and_works_on_the_api(client, auth, make_user):
    target = make_user("bureau")
    auth.login(make_user("admin"))
    response = post(client, auth, f"/admin/users/{target.id}/token", {"label": "统计对接"},
                    page=f"/admin/users/{target.id}")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    token = html.split('<code class="token">')[1].split("</code>")[0]
    assert token.startswith("qr_")
    assert token not in client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == target.id))
    assert row.label == "统计对接" and token not in row.token_hash
    api = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200, api.get_data(as_text=True)
    post(client, auth, f"/admin/users/{target.id}/active", {"active": "0"}, page=f"/admin/users/{target.id}")
    assert client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_edit_user_name_phone_and_town(client, auth, make_user):
    target = make_user("town")
    new_town = jurisdiction("331082112")
    auth.login(make_user("admin"))
    bad = post(client, auth, f"/admin/users/{target.id}/edit", {"display_name": "", "phone": "1",
                                                                "jurisdiction": new_town.code},
               page=f"/admin/users/{target.id}")
    assert bad.status_code == 422 and "请填写姓名" in bad.get_data(as_text=True)
    ok = post(client, auth, f"/admin/users/{target.id}/edit",
              {"display_name": "王审核", "phone": "0576-1", "jurisdiction": new_town.code, "role": "admin"},
              page=f"/admin/users/{target.id}")
    assert ok.status_code == 302
    db.session.refresh(target)
    assert (target.display_name, target.phone, target.jurisdiction_id, target.role) == (
        "王审核", "0576-1", new_town.id, "town")


def test_control_characters_are_cleaned_at_the_edge_not_500(client, auth, make_user):
    """Control characters are dropped as the request is parsed (registry/edge.py, issue 9 item 5): what is left is
    stored, never a 500."""
    target = make_user("expert")
    auth.login(make_user("admin"))
    assert client.get("/admin/users?q=a%00b").status_code == 200
    response = _create(client, auth, email="a\x00b@example.cn", display_name="x\x01", role="expert")
    assert response.status_code < 500
    created = db.session.scalar(select(User).where(User.email == "ab@example.cn"))
    assert created is not None and created.display_name == "x"
    edit = post(client, auth, f"/admin/users/{target.id}/edit", {"display_name": "a\x00", "phone": ""},
                page=f"/admin/users/{target.id}")
    assert edit.status_code < 500
    db.session.expire_all()
    assert db.session.get(User, target.id).display_name == "a"
