"""Each kind of security event is recorded when a person really does the thing through the web pages: by whom,
on what, from which address (``request.remote_addr``), and every row sealed into the audit chain."""
from __future__ import annotations

import io
import pytest
from sqlalchemy import select

from registry.audit.chain import AUDIT
from registry.extensions import db
from registry.models import Industry, Jurisdiction, User
from tests.admin.conftest import post
from tests.audit.conftest import ADDRESS, events, only
from tests.conftest import Auth
from tests.excel.conftest import ENTERPRISE_HEADERS, enterprise_row, xlsx
from tests.factories import EnterpriseFactory, make_uscc
from workflows import chain

NEW_PASSWORD = "another-horse-battery"


@pytest.fixture
def admin(make_user, auth):
    user = make_user("admin")
    auth.login(user)
    return user


def test_sign_in_success_and_failure_with_the_client_address(client, auth, make_user):
    user = make_user("bureau")
    assert auth.login(user.email, "wrong-password-1").status_code == 200
    assert auth.login("nobody@example.cn", "whatever-123").status_code == 200
    assert auth.login(user).status_code == 302
    failed = events("sign_in_failed")
    assert [(e.actor, e.actor_id, e.details["reason"], e.address) for e in failed] == [
        (user.email, None, "wrong_password", ADDRESS), ("nobody@example.cn", None, "unknown_account", ADDRESS)]
    signed_in = only("sign_in")
    assert (signed_in.actor_id, signed_in.actor, signed_in.address) == (user.id, user.email, ADDRESS)
    assert chain.verify(chain=AUDIT) == []


def test_a_disabled_account_signing_in_is_a_failure(client, auth, make_user):
    user = make_user("bureau", is_active_account=False)
    auth.login(user)
    assert only("sign_in_failed").details == {"reason": "account_disabled"}


def test_sign_out(client, auth, make_user):
    user = make_user("town")
    auth.login(user)
    auth.logout()
    assert (only("sign_out").actor_id, only("sign_out").address) == (user.id, ADDRESS)


def test_password_change(client, auth, make_user):
    user = make_user("expert")
    auth.login(user)
    response = client.post("/account/password", data={"current_password": Auth.PASSWORD,
                                                      "new_password": NEW_PASSWORD,
                                                      "csrf_token": auth.csrf("/account/password")})
    assert response.status_code == 302
    assert only("password_change").actor_id == user.id


def test_password_reset_by_an_administrator(client, auth, admin, make_user):
    other = make_user("bureau")
    assert post(client, auth, f"/admin/users/{other.id}/password", {"new_password": NEW_PASSWORD},
                page=f"/admin/users/{other.id}").status_code == 302
    row = only("password_reset")
    assert (row.actor_id, row.target, row.address) == (admin.id, f"user:{other.id}", ADDRESS)


def test_account_create_deactivate_activate_and_scope_change(client, auth, admin):
    town, other_town = db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.sort_order).limit(2)).all()
    created = post(client, auth, "/admin/users/new", {"email": "new.town@example.cn", "display_name": "新审核员",
                                                      "role": "town", "enterprise": "", "jurisdiction": town.code,
                                                      "phone": "", "password": NEW_PASSWORD})
    assert created.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.town@example.cn"))
    row = only("account_create")
    assert (row.actor_id, row.target, row.details["role"], row.details["jurisdiction"]) == (
        admin.id, f"user:{user.id}", "town", town.code)
    page = f"/admin/users/{user.id}"
    assert post(client, auth, f"{page}/edit", {"display_name": "新审核员", "phone": "",
                                               "jurisdiction": other_town.code}, page=page).status_code == 302
    assert only("account_update").details["changes"] == {"jurisdiction": [town.code, other_town.code]}
    assert post(client, auth, f"{page}/active", {"active": "0"}, page=page).status_code == 302
    assert post(client, auth, f"{page}/active", {"active": "1"}, page=page).status_code == 302
    assert only("account_deactivate").target == only("account_activate").target == f"user:{user.id}"


def test_api_token_create(client, auth, admin, make_user):
    other = make_user("bureau")
    response = post(client, auth, f"/admin/users/{other.id}/token", {"label": "数据对接"},
                    page=f"/admin/users/{other.id}")
    assert response.status_code == 200 and "qr_" in response.get_data(as_text=True)
    row = only("token_create")
    assert (row.actor_id, row.target, row.details["label"]) == (admin.id, f"user:{other.id}", "数据对接")
    assert "qr_" not in str(row.details)  # never the token itself


def test_api_token_revoke(client, auth, admin, make_user):
    from registry.models import ApiToken

    other = make_user("bureau")
    post(client, auth, f"/admin/users/{other.id}/token", {"label": "数据对接"}, page=f"/admin/users/{other.id}")
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == other.id))
    assert post(client, auth, f"/account/tokens/{token_id}/revoke", {}, page="/account/tokens").status_code == 302
    assert post(client, auth, f"/account/tokens/{token_id}/revoke", {}, page="/account/tokens").status_code == 302
    row = only("token_revoke")  # revoking a revoked token changes nothing and records nothing
    assert (row.actor_id, row.target, row.details["token_id"]) == (admin.id, f"user:{other.id}", token_id)


def test_setting_change_and_reset(client, auth, admin):
    key = "workflows.reminder_days"
    assert post(client, auth, f"/admin/settings/{key}", {"value": "5"}).status_code == 302
    assert post(client, auth, f"/admin/settings/{key}/reset", {}, page=f"/admin/settings/{key}").status_code == 302
    assert only("setting_change").details == {"key": key, "from": None, "to": 5}
    assert only("setting_reset").details == {"key": key, "from": 5}


def test_catalogue_change(client, auth, admin):
    row = db.session.scalar(select(Industry).order_by(Industry.id))
    row_id, name = row.id, row.name
    edit = f"/admin/catalogues/industries/{row_id}/edit"
    assert post(client, auth, edit, {"code": row.code, "name": name + "（改）", "sort_order": str(row.sort_order),
                                     "active": "y", "cluster": "y" if row.cluster else ""}).status_code == 302
    found = only("catalogue_change")
    assert found.target == f"industries:{row_id}" and found.details["changes"] == {"name": [name, name + "（改）"]}


def test_holiday_change(client, auth, admin):
    assert post(client, auth, "/admin/holidays", {"day": "2031-01-02", "is_workday": "0", "note": "元旦"}
                ).status_code == 302
    assert only("holiday_change").details == {"day": "2031-01-02", "workday": False, "note": "元旦"}


@pytest.mark.parametrize("path, what", [
    ("/enterprises/export.xlsx?jurisdiction=331082001", "企业名录"),
    ("/enterprises/export/honours.xlsx", "企业记录"),
    ("/enterprises/export/all.xlsx", "企业记录"),
    ("/applications/all/export.xlsx", "申报总览"),
    ("/targets/export.xlsx?as_of=2024-06-30", "指标看板"),
    ("/targets/towns/export.xlsx?as_of=2024-06-30", "镇街考核"),
])
def test_every_xlsx_export_is_recorded(client, auth, make_user, indicators, path, what):
    user = make_user("bureau")
    auth.login(user)
    response = client.get(path)
    assert response.status_code == 200 and response.data[:2] == b"PK"
    row = only("export")
    assert (row.actor_id, row.details["what"], row.address) == (user.id, what, ADDRESS)


def test_an_enterprise_file_export_names_the_enterprise(client, auth, make_user):
    enterprise = EnterpriseFactory()
    auth.login(make_user("bureau"))
    assert client.get(f"/enterprises/{enterprise.id}/records.xlsx").status_code == 200
    assert only("export").target == f"enterprise:{enterprise.id}"


def test_a_refused_export_is_not_recorded(client, auth, make_user):
    auth.login(make_user("expert"))
    assert client.get("/enterprises/export.xlsx").status_code == 403
    assert events("export") == []


def test_background_export_and_its_download(client, auth, make_user, indicators):
    from registry.targets.jobs import run_export

    user = make_user("bureau")
    auth.login(user)
    started = client.post("/targets/exports?as_of=2024-06-30", data={"csrf_token": auth.csrf("/targets/")})
    job_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    assert only("export").target == f"target_export:{job_id}"
    assert run_export(job_id) == "done"  # what the worker runs (tests/targets runs it on a real worker)
    assert client.get(f"/targets/exports/{job_id}/download").status_code == 200
    row = only("download")
    assert (row.actor_id, row.target) == (user.id, f"target_export:{job_id}")


def test_an_import(client, auth, make_user):
    user = make_user("bureau")
    auth.login(user)
    data = xlsx(ENTERPRISE_HEADERS, [enterprise_row(1, make_uscc(1)), enterprise_row(2, make_uscc(2))])
    uploaded = client.post("/imports", data={"kind": "enterprises", "csrf_token": auth.csrf("/imports"),
                                             "file": (io.BytesIO(data), "企业.xlsx")},
                           content_type="multipart/form-data")
    job_id = int(uploaded.headers["Location"].rstrip("/").split("/")[-1])
    assert events("import") == []  # a preview imports nothing
    assert client.post(f"/imports/{job_id}/confirm",
                       data={"csrf_token": auth.csrf(f"/imports/{job_id}")}).status_code == 302
    row = only("import")
    assert (row.actor_id, row.target, row.details["rows"], row.details["file"]) == (
        user.id, f"import_job:{job_id}", 2, "企业.xlsx")


def test_every_event_is_sealed_in_order(client, auth, make_user):
    user = make_user("bureau")
    for _ in range(3):
        auth.login(user)
        auth.logout()
    rows = events()
    assert [e.seq for e in rows] == list(range(1, 7))
    assert all(e.hash and e.prev_hash for e in rows)
    assert chain.verify(chain=AUDIT) == [] and chain.verify() == []


def test_a_plan_review_export_is_recorded_and_dated_in_linhai(client, auth, make_user, indicators):
    """Issued at 2026-06-30 17:00 UTC = 1 July 01:00 in Linhai: the workbook says 2026-07-01 印发."""
    from datetime import datetime, timezone

    from openpyxl import load_workbook

    from registry.targets import reviews
    from registry.targets.models import PlanReview

    user = make_user("bureau")
    review = reviews.start(user, "annual", 2024)
    assert reviews.run(review.id) == "done"  # what the worker runs (tests/targets runs it on a real worker)
    db.session.get(PlanReview, review.id).issued_at = datetime(2026, 6, 30, 17, 0, tzinfo=timezone.utc)
    db.session.commit()
    auth.login(user)
    response = client.get(f"/targets/reviews/{review.id}.xlsx")
    assert response.status_code == 200
    cells = [c for ws in load_workbook(io.BytesIO(response.data)).worksheets
             for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("2026-07-01 印发" in c for c in cells) and not any("2026-06-30 印发" in c for c in cells)
    row = only("export")
    assert (row.target, row.details["what"]) == (f"plan_review:{review.id}", "规划评估")
