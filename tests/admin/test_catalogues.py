"""Catalogues (镇街, 产业) through the administrator pages: add, edit, duplicate codes, retire and restore."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Industry, Jurisdiction
from tests.admin.conftest import post
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.usefixtures("restore_catalogues")

NEW_TOWN = {"code": "331082999", "name": "测试新区", "kind": "zone", "sort_order": "90", "active": "y"}


def test_add_edit_and_duplicate_code(client, auth, make_user):
    auth.login(make_user("admin"))
    assert post(client, auth, "/admin/catalogues/jurisdictions/new", NEW_TOWN).status_code == 302
    row = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "331082999"))
    assert (row.name, row.kind, row.sort_order, row.active) == ("测试新区", "zone", 90, True)
    assert "测试新区" in client.get("/admin/catalogues/jurisdictions").get_data(as_text=True)

    edit = f"/admin/catalogues/jurisdictions/{row.id}/edit"
    assert 'value="测试新区"' in client.get(edit).get_data(as_text=True)
    assert post(client, auth, edit, {**NEW_TOWN, "name": "测试新区（改）"}).status_code == 302
    db.session.refresh(row)
    assert row.name == "测试新区（改）"

    duplicate = post(client, auth, "/admin/catalogues/jurisdictions/new", {**NEW_TOWN, "name": "另一个"})
    html = duplicate.get_data(as_text=True)
    assert duplicate.status_code == 409 and "已存在相同代码" in html and 'value="另一个"' in html
    gucheng = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "331082001"))
    same_name = post(client, auth, f"/admin/catalogues/jurisdictions/{gucheng.id}/edit",
                     {**NEW_TOWN, "code": "331082001", "name": "测试新区（改）"})  # keeps its code, takes a name
    assert same_name.status_code == 409 and "已存在相同名称" in same_name.get_data(as_text=True)


def test_bad_input_is_a_form_error(client, auth, make_user):
    auth.login(make_user("bureau"))
    response = post(client, auth, "/admin/catalogues/industries/new",
                    {"code": "", "name": "x" * 65, "sort_order": "abc", "status": "hacked", "id": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写代码" in html and "不能超过 64 个字符" in html and "必须是整数" in html
    assert db.session.scalar(select(Industry).where(Industry.name == "x" * 65)) is None


def test_retired_jurisdiction_leaves_the_select_but_enterprises_keep_it(client, auth, make_user):
    town = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "331082114"))
    enterprise = EnterpriseFactory(jurisdiction=town)
    auth.login(make_user("admin"))
    response = post(client, auth, f"/admin/catalogues/jurisdictions/{town.id}/active", {"active": "0"},
                    page="/admin/catalogues/jurisdictions")
    assert response.status_code == 302
    db.session.refresh(town)
    assert town.active is False and town.name == "桃渚镇" and town.kind == "town"
    assert "已停用" in client.get("/admin/catalogues/jurisdictions").get_data(as_text=True)

    new_form = client.get("/enterprises/new").get_data(as_text=True)
    assert 'value="331082114"' not in new_form and 'value="331082112"' in new_form
    edit_form = client.get(f"/enterprises/{enterprise.id}/edit").get_data(as_text=True)
    assert 'value="331082114" selected' in edit_form or 'selected value="331082114"' in edit_form
    db.session.refresh(enterprise)
    assert enterprise.jurisdiction_id == town.id
    assert 'value="331082114"' not in client.get("/admin/users/new").get_data(as_text=True)

    post(client, auth, f"/admin/catalogues/jurisdictions/{town.id}/active", {"active": "1"},
         page="/admin/catalogues/jurisdictions")
    db.session.refresh(town)
    assert town.active is True
    assert 'value="331082114"' in client.get("/enterprises/new").get_data(as_text=True)


def test_industry_cluster_flag_can_be_cleared(client, auth, make_user):
    row = db.session.scalar(select(Industry).where(Industry.cluster.is_(True)))
    auth.login(make_user("admin"))
    edit = f"/admin/catalogues/industries/{row.id}/edit"
    # an unchecked box sends nothing: the flag goes off, the entry stays active because "active" is sent
    assert post(client, auth, edit, {"code": row.code, "name": row.name, "sort_order": str(row.sort_order),
                                     "active": "y"}).status_code == 302
    db.session.refresh(row)
    assert row.cluster is False and row.active is True


def test_unknown_catalogue_and_entry_are_404(client, auth, make_user):
    auth.login(make_user("admin"))
    assert client.get("/admin/catalogues/nonsense").status_code == 404
    assert client.get("/admin/catalogues/industries/999999/edit").status_code == 404


def test_retire_button_refuses_anything_but_0_or_1(client, auth, make_user):
    """Junk in the retire/restore button's field is refused and retires nothing (it used to mean 'retire')."""
    town = db.session.scalar(select(Jurisdiction).where(Jurisdiction.code == "331082114"))
    auth.login(make_user("admin"))
    for junk in ("", "yes", "2", "<script>"):
        response = post(client, auth, f"/admin/catalogues/jurisdictions/{town.id}/active", {"active": junk},
                        page="/admin/catalogues/jurisdictions")
        assert response.status_code == 400
    db.session.refresh(town)
    assert town.active is True
