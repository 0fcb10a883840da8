"""Certification bodies (认证机构): a catalogue the bureau keeps, and certifier accounts that belong to one body."""
from __future__ import annotations

from sqlalchemy import select

from registry.extensions import db
from registry.models import CertificationBody, User
from tests.admin.conftest import post

BODY = {"code": "CNCA-R-TEST-01", "name": "测试认证有限公司", "sort_order": "1", "active": "y"}


def _new_certifier(client, auth, **fields):
    data = {"email": "auditor@example.cn", "display_name": "审核员", "role": "certifier",
            "password": "correct-horse-battery", **fields}
    return post(client, auth, "/admin/users/new", data)


def test_the_bureau_adds_a_body_and_opens_a_certifier_account_for_it(client, auth, make_user):
    auth.login(make_user("bureau"))
    assert post(client, auth, "/admin/catalogues/certification_bodies/new", BODY).status_code == 302
    body = db.session.scalar(select(CertificationBody).where(CertificationBody.code == "CNCA-R-TEST-01"))
    assert (body.name, body.active) == ("测试认证有限公司", True)
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert 'value="certifier"' in page and f'value="{body.code}"' in page

    missing = _new_certifier(client, auth)
    assert missing.status_code == 422 and "认证机构人员必须关联" in missing.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "auditor@example.cn")) is None

    assert _new_certifier(client, auth, certification_body=body.code).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "auditor@example.cn"))
    assert (user.role, user.certification_body_id) == ("certifier", body.id)


def test_a_retired_body_takes_no_new_accounts(client, auth, make_user):
    db.session.add(CertificationBody(code="RETIRED-1", name="已停用认证机构", active=False))
    db.session.commit()
    auth.login(make_user("admin"))
    assert 'value="RETIRED-1"' not in client.get("/admin/users/new").get_data(as_text=True)
    response = _new_certifier(client, auth, email="late@example.cn", certification_body="RETIRED-1")
    assert response.status_code == 422
    assert db.session.scalar(select(User).where(User.email == "late@example.cn")) is None
