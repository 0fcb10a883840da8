"""Record forms for all seven kinds, through the one generic form and template, with CSRF."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.records.kinds import KINDS
from tests.enterprises.helpers import csrf_from_home, submit
from tests.factories import CertificationFactory, EnterpriseFactory, jurisdiction

# slug -> (valid input, a change to make, how to read the change back)
CASES = {
    "standards": ({"number": "T/ZZB 2109—2021", "title": "汽车用制动盘", "role": "lead", "status": "published",
                   "published_on": "2021-06-01", "effective_on": "2021-07-01"},
                  {"title": "汽车用制动盘（修订）"}, lambda r: r.standard.title),
    "certifications": ({"cert_type": "pinzibiao", "number": "CZJM2023P00001", "issuer": "浙江公信认证有限公司",
                        "issued_on": "2023-03-01", "expires_on": "2026-02-28", "status": "valid"},
                       {"scope": "汽车制动盘"}, lambda r: r.scope),
    "honours": ({"honour_type": "qianjiang_cup", "level": "provincial", "year": "2023", "title": "某工程"},
                {"year": "2024"}, lambda r: str(r.year)),
    "patents": ({"number": "ZL201710601862.3", "title": "一种刹车片", "status": "granted", "filed_on": "2017-07-20"},
                {"title": "一种改进的刹车片"}, lambda r: r.title),
    "trademarks": ({"reg_number": "12345678", "nice_class": "7", "mark": "临海牌", "registered_on": "2015-01-07",
                    "expires_on": "2025-01-06", "madrid": "y", "madrid_registered_on": "2016-01-01"},
                   {"mark": "新临海牌"}, lambda r: r.mark),
    "gi-products": ({"product_name": "临海蜜桔", "status": "applied", "applied_on": "2023-04-01"},
                    {"announcement": "2024年第5号"}, lambda r: r.announcement),
    "credit-records": ({"list_type": "abnormal_operation", "listed_on": "2024-01-10", "authority": "临海市市场监督管理局",
                        "reason": "未按规定报送年报"},
                       {"removed_on": "2024-06-01"}, lambda r: str(r.removed_on)),
    "incidents": ({"occurred_on": "2024-03-01", "kind": "failed_spot_check", "description": "监督抽查不合格"},
                  {"description": "复检合格"}, lambda r: r.description),
    "benefit-grades": ({"year": "2024", "grade": "A", "authority": "临海市经济和信息化局"},
                       {"grade": "B"}, lambda r: r.grade),
}


@pytest.fixture
def bureau(make_user, auth):
    user = make_user("bureau")
    auth.login(user)
    return user


def _records(slug: str, enterprise_id: int) -> list:
    db.session.expire_all()
    model = KINDS[slug].model
    return list(db.session.scalars(select(model).where(model.enterprise_id == enterprise_id)))


@pytest.mark.parametrize("slug", list(CASES))
def test_create_edit_delete_every_kind(client, bureau, slug):
    valid, change, read = CASES[slug]
    e = EnterpriseFactory()
    base = f"/enterprises/{e.id}/{slug}"
    form = client.get(f"{base}/new").get_data(as_text=True)
    assert f"<h1>新增{KINDS[slug].label}" in form and 'type="date"' in form and "—请选择—" in form

    created = submit(client, f"{base}/new", valid)
    assert created.status_code == 302 and created.headers["Location"].endswith(f"/enterprises/{e.id}#{slug}")
    (record,) = _records(slug, e.id)

    edit_page = client.get(f"{base}/{record.id}/edit").get_data(as_text=True)
    for spec in KINDS[slug].fields:  # the edit form shows the stored values
        if spec.name in valid and spec.name != "number":
            shown = {"str": f'value="{valid[spec.name]}"', "date": f'value="{valid[spec.name]}"',
                     "int": f'value="{valid[spec.name]}"', "text": f"{valid[spec.name]}</textarea>",
                     "choice": f'<option selected value="{valid[spec.name]}">', "bool": "checked"}[spec.type]
            assert shown in edit_page, (spec.name, shown)
    edited = submit(client, f"{base}/{record.id}/edit", {**valid, **change})
    assert edited.status_code == 302
    (record,) = _records(slug, e.id)
    assert read(record) == next(iter(change.values()))

    gone = client.post(f"{base}/{record.id}/delete", data={"csrf_token": csrf_from_home(client)})
    assert gone.status_code == 302 and _records(slug, e.id) == []


def test_standard_number_with_em_dash_is_stored_normalised_with_its_level(client, bureau):
    e = EnterpriseFactory()
    submit(client, f"/enterprises/{e.id}/standards/new", CASES["standards"][0])
    (drafter,) = _records("standards", e.id)
    assert drafter.standard.number == "T/ZZB 2109-2021" and drafter.standard.level == "group_zzb"
    page = client.get(f"/enterprises/{e.id}/standards/{drafter.id}/edit").get_data(as_text=True)
    assert "“浙江制造”标准" in page  # the derived level is shown, not asked


def test_patent_check_digit_error_keeps_the_input(client, bureau):
    e = EnterpriseFactory()
    resp = submit(client, f"/enterprises/{e.id}/patents/new",
                  {**CASES["patents"][0], "number": "201710601862.4", "title": "保留的专利名称"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "校验" in body
    assert 'value="201710601862.4"' in body and 'value="保留的专利名称"' in body
    assert '<option selected value="granted">' in body and 'value="2017-07-20"' in body
    assert _records("patents", e.id) == []


def test_expiry_before_issue_is_shown_under_the_field(client, bureau):
    e = EnterpriseFactory()
    resp = submit(client, f"/enterprises/{e.id}/certifications/new",
                  {**CASES["certifications"][0], "expires_on": "2020-01-01"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "有效期至必须晚于发证日期" in body


def test_duplicate_certificate_names_the_existing_record(client, bureau):
    holder = EnterpriseFactory(name="临海市先登记的公司")
    existing = CertificationFactory(enterprise=holder, cert_type="pinzibiao", number="CZJM2023P00001")
    e = EnterpriseFactory()
    resp = submit(client, f"/enterprises/{e.id}/certifications/new", CASES["certifications"][0])
    body = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "临海市先登记的公司" in body and f"记录 #{existing.id}" in body and 'value="浙江公信认证有限公司"' in body


def test_enterprise_user_edits_own_records_but_not_credit_or_incidents(client, auth, make_user):
    user = make_user("enterprise")
    auth.login(user)
    eid = user.enterprise_id
    assert submit(client, f"/enterprises/{eid}/patents/new", CASES["patents"][0]).status_code == 302
    for slug in ("credit-records", "incidents", "benefit-grades"):
        assert client.get(f"/enterprises/{eid}/{slug}/new").status_code == 403
        token = csrf_from_home(client)
        assert client.post(f"/enterprises/{eid}/{slug}/new", data={**CASES[slug][0], "csrf_token": token}).status_code == 403
        assert _records(slug, eid) == []


def test_enterprise_user_cannot_reach_another_enterprise_records(client, auth, make_user):
    user = make_user("enterprise")
    other_cert = CertificationFactory()
    auth.login(user)
    token = csrf_from_home(client)
    base = f"/enterprises/{other_cert.enterprise_id}/certifications"
    assert client.get(f"{base}/new").status_code == 404
    assert client.get(f"{base}/{other_cert.id}/edit").status_code == 404
    assert client.post(f"{base}/{other_cert.id}/delete", data={"csrf_token": token}).status_code == 404
    # and through their own enterprise id, someone else's record id is not found either
    own = f"/enterprises/{user.enterprise_id}/certifications/{other_cert.id}"
    assert client.post(f"{own}/edit", data={**CASES["certifications"][0], "csrf_token": token}).status_code == 404
    assert client.post(f"{own}/delete", data={"csrf_token": token}).status_code == 404
    assert len(_records("certifications", other_cert.enterprise_id)) == 1


def test_town_reviewer_gets_403_on_every_record_post(client, auth, make_user):
    town = make_user("town", jurisdiction=jurisdiction("331082112"))
    cert = CertificationFactory(enterprise=EnterpriseFactory(jurisdiction=jurisdiction("331082112")))
    auth.login(town)
    token = csrf_from_home(client)
    base = f"/enterprises/{cert.enterprise_id}/certifications"
    assert client.get(f"{base}/new").status_code == 403
    assert client.get(f"{base}/{cert.id}/edit").status_code == 403
    assert client.post(f"{base}/new", data={**CASES["certifications"][0], "csrf_token": token}).status_code == 403
    assert client.post(f"{base}/{cert.id}/edit", data={**CASES["certifications"][0], "csrf_token": token}).status_code == 403
    assert client.post(f"{base}/{cert.id}/delete", data={"csrf_token": token}).status_code == 403
    assert len(_records("certifications", cert.enterprise_id)) == 1


def test_mass_assignment_on_records_changes_nothing_else(client, bureau):
    e, other = EnterpriseFactory(), EnterpriseFactory()
    extra = {"enterprise_id": str(other.id), "id": "424242", "level": "national", "patent_type": "design",
             "standard_id": "1", "created_at": "2000-01-01"}
    assert submit(client, f"/enterprises/{e.id}/patents/new", {**CASES["patents"][0], **extra}).status_code == 302
    assert submit(client, f"/enterprises/{e.id}/standards/new", {**CASES["standards"][0], **extra}).status_code == 302
    (patent,) = _records("patents", e.id)
    (drafter,) = _records("standards", e.id)
    assert patent.id != 424242 and patent.patent_type == "invention"
    assert drafter.standard.level == "group_zzb"
    assert _records("patents", other.id) == [] and _records("standards", other.id) == []
    cert = CertificationFactory(enterprise=e)
    data = {**CASES["certifications"][0], "number": cert.number, "enterprise_id": str(other.id)}
    assert submit(client, f"/enterprises/{e.id}/certifications/{cert.id}/edit", data).status_code == 302
    assert [c.id for c in _records("certifications", e.id)] == [cert.id]
    assert db.session.scalar(select(func.count()).select_from(KINDS["patents"].model)) == 1


def test_an_honour_granted_by_the_award_changes_only_through_the_award(client, auth, make_user, api):
    """A 政府质量奖 Honour the award workflow created: no edit or delete on the enterprise page, the form, or the API,
    for the enterprise and for bureau staff alike (revocation happens on the award's page, with its reason)."""
    from tests.factories import HonourFactory

    firm = EnterpriseFactory()
    granted = HonourFactory(enterprise=firm, honour_type="quality_award", level="linhai", year=2026,
                            source_application_id=4242)
    own = HonourFactory(enterprise=firm)
    for role in ("enterprise", "bureau"):
        user = make_user(role, enterprise=firm) if role == "enterprise" else make_user(role)
        auth.login(user)
        page = client.get(f"/enterprises/{firm.id}").get_data(as_text=True)
        assert "评审授予" in page
        assert f"/honours/{granted.id}/edit" not in page and f"/honours/{own.id}/edit" in page
        answer = client.get(f"/enterprises/{firm.id}/honours/{granted.id}/edit")
        assert answer.status_code == 302
        answer = submit(client, f"/enterprises/{firm.id}", {}, post_path=f"/enterprises/{firm.id}/honours/{granted.id}/delete")
        assert answer.status_code == 302
        assert "评审流程授予" in client.get(f"/enterprises/{firm.id}").get_data(as_text=True)
        headers = api(user)
        assert client.patch(f"/api/v1/enterprises/{firm.id}/honours/{granted.id}", json={"year": 2020},
                            headers=headers).status_code == 403
        assert client.delete(f"/api/v1/enterprises/{firm.id}/honours/{granted.id}", headers=headers).status_code == 403
        auth.logout()
    db.session.expire_all()
    kept = db.session.get(type(granted), granted.id)
    assert kept is not None and kept.year == 2026
