"""The master-record forms (企业主档): create, edit, delete through the real forms with CSRF; credit-code checks,
the bureau's override, duplicates, permissions and mass assignment."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Enterprise
from tests.enterprises.helpers import csrf_from_home, submit
from tests.factories import EnterpriseFactory, industry, jurisdiction, make_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def bad_check(code: str) -> str:
    """The same code with a wrong check character (well-formed, fails the GB 32100 check)."""
    return code[:17] + next(c for c in ALPHABET if c != code[17])


def new_data(**over) -> dict:
    data = {"name": "临海市新登记机械有限公司", "uscc": make_uscc(4242), "jurisdiction": "331082112",
            "industry": industry().code, "above_scale": "y", "established_on": "2018-03-15",
            "legal_representative": "陈一", "contact_phone": "0576-85000000", "address": "杜桥镇工业区"}
    data.update(over)
    return data


@pytest.fixture
def bureau(make_user, auth):
    user = make_user("bureau")
    auth.login(user)
    return user


def _get(uscc: str) -> Enterprise | None:
    db.session.expire_all()
    return db.session.scalar(select(Enterprise).where(Enterprise.uscc == uscc))


def test_bureau_creates_an_enterprise(client, bureau):
    form = client.get("/enterprises/new").get_data(as_text=True)
    assert 'name="jurisdiction"' in form and "杜桥镇" in form and 'name="uscc_override_reason"' in form
    assert 'type="date"' in form
    resp = submit(client, "/enterprises/new", new_data())
    created = _get(make_uscc(4242))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/enterprises/{created.id}")
    assert created.jurisdiction.code == "331082112" and created.above_scale is True
    assert str(created.established_on) == "2018-03-15"
    assert "已新增企业" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_bureau_edits_an_enterprise_and_unchecks_a_box(client, bureau):
    e = EnterpriseFactory(above_scale=True)
    data = new_data(uscc=e.uscc, name="改名后的公司", above_scale="", version=str(e.version))
    data.pop("above_scale")  # an unchecked box is not sent at all
    assert submit(client, f"/enterprises/{e.id}/edit", data).status_code == 302
    changed = _get(e.uscc)
    assert changed.name == "改名后的公司" and changed.above_scale is False
    assert changed.jurisdiction.code == "331082112"


def test_bureau_deletes_an_enterprise(client, bureau):
    e = EnterpriseFactory()
    code = e.uscc
    page = client.get(f"/enterprises/{e.id}").get_data(as_text=True)
    assert f'action="/enterprises/{e.id}/delete"' in page and "data-confirm=" in page
    resp = client.post(f"/enterprises/{e.id}/delete", data={"csrf_token": csrf_from_home(client)})
    assert resp.status_code == 302 and _get(code) is None


def test_delete_without_csrf_is_refused(client, bureau):
    e = EnterpriseFactory()
    assert client.post(f"/enterprises/{e.id}/delete").status_code == 400
    assert _get(e.uscc) is not None


def test_invalid_credit_code_shows_the_error_and_keeps_input(client, bureau):
    resp = submit(client, "/enterprises/new", new_data(uscc="91331082ABC", legal_representative="保留我"))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "统一社会信用代码应为 18 位" in body and 'class="field  has-error"' in body
    assert 'value="91331082ABC"' in body and 'value="保留我"' in body and 'value="2018-03-15"' in body
    assert '<option selected value="331082112">' in body
    assert _get("91331082ABC") is None


def test_failed_check_needs_a_reason_then_bureau_override_succeeds(client, bureau):
    code = bad_check(make_uscc(555))
    first = submit(client, "/enterprises/new", new_data(uscc=code))
    assert first.status_code == 422 and "校验位不正确" in first.get_data(as_text=True)
    resp = submit(client, "/enterprises/new", new_data(uscc=code, uscc_override_reason="营业执照原件核对无误"))
    assert resp.status_code == 302
    saved = _get(code)
    assert saved.uscc_override_reason == "营业执照原件核对无误"
    assert "营业执照原件核对无误" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_enterprise_user_cannot_override_or_change_the_code(client, auth, make_user):
    user = make_user("enterprise")
    auth.login(user)
    e = db.session.get(Enterprise, user.enterprise_id)
    original = e.uscc
    form = client.get(f"/enterprises/{e.id}/edit").get_data(as_text=True)
    assert 'name="uscc_override_reason"' not in form and 'name="uscc"' not in form
    data = new_data(uscc=bad_check(make_uscc(556)), uscc_override_reason="我说可以", jurisdiction="331082001",
                    name=e.name, version=str(e.version))
    assert submit(client, f"/enterprises/{e.id}/edit", data).status_code == 302
    after = _get(original)
    assert after is not None and after.uscc_override_reason is None
    assert after.jurisdiction_id == e.jurisdiction_id


def test_enterprise_user_cannot_create_or_delete(client, auth, make_user):
    user = make_user("enterprise")
    auth.login(user)
    assert client.get("/enterprises/new").status_code == 403
    token = csrf_from_home(client)
    assert client.post("/enterprises/new", data={**new_data(), "csrf_token": token}).status_code == 403
    assert client.post(f"/enterprises/{user.enterprise_id}/delete", data={"csrf_token": token}).status_code == 403
    assert db.session.get(Enterprise, user.enterprise_id) is not None


def test_duplicate_credit_code_names_the_existing_enterprise(client, bureau):
    existing = EnterpriseFactory(name="临海市已登记股份有限公司")
    resp = submit(client, "/enterprises/new", new_data(uscc=existing.uscc.lower()))
    body = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "临海市已登记股份有限公司" in body and f"记录 #{existing.id}" in body
    assert 'value="临海市新登记机械有限公司"' in body  # the user's input is still there


def test_stale_version_is_refused_with_a_message(client, bureau):
    e = EnterpriseFactory()
    data = new_data(uscc=e.uscc, name="改名一", version="0")
    resp = submit(client, f"/enterprises/{e.id}/edit", data)
    assert resp.status_code == 409 and "已被他人修改" in resp.get_data(as_text=True)
    assert _get(e.uscc).name == e.name


def test_town_reviewer_cannot_edit_or_delete(client, auth, make_user):
    town = make_user("town", jurisdiction=jurisdiction("331082112"))
    e = EnterpriseFactory(jurisdiction=jurisdiction("331082112"))
    auth.login(town)
    token = csrf_from_home(client)
    assert client.get(f"/enterprises/{e.id}/edit").status_code == 403
    assert client.get("/enterprises/new").status_code == 403
    data = {**new_data(uscc=e.uscc, name="镇街改名"), "csrf_token": token}
    assert client.post(f"/enterprises/{e.id}/edit", data=data).status_code == 403
    assert client.post(f"/enterprises/{e.id}/delete", data={"csrf_token": token}).status_code == 403
    assert _get(e.uscc).name == e.name


def test_mass_assignment_changes_nothing_else(client, bureau):
    e = EnterpriseFactory()
    other = EnterpriseFactory()
    before = (e.id, e.created_at, e.version)
    data = new_data(uscc=e.uscc, name="只改名字", version=str(e.version))
    data.update({"id": str(other.id), "enterprise_id": str(other.id), "status": "approved",
                 "created_at": "2000-01-01", "jurisdiction_id": "1", "industry_id": "1", "role": "admin"})
    assert submit(client, f"/enterprises/{e.id}/edit", data).status_code == 302
    after = _get(e.uscc)
    assert after.id == before[0] and after.created_at == before[1] and after.version == before[2] + 1
    assert after.name == "只改名字" and after.jurisdiction.code == "331082112"
    assert _get(other.uscc).name == other.name
