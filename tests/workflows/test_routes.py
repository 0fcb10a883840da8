"""The other 品字标 routes end to end: 认定 (浙江农产, 浙江服务) and 标准 + 自我声明公开 + 信用保证; the enterprise chooses
its route when applying, reviewers' inboxes show it."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Certification
from registry.services.errors import ValidationFailed
from tests.factories import CreditRecordFactory
from tests.workflows.conftest import own_standard
from workflows import engine
from workflows.models import Application
from workflows.services import applications

FIELDS = {"product": "临海蜜桔", "standard_proposal": "临海蜜桔团体标准", "self_assessment": "自评 90 分"}
CERT = {"issuer": "浙江省品牌建设联合会", "issued_on": "2026-03-01"}


def _run(application_id: int, steps) -> None:
    for action, user, payload in steps:
        engine.apply(application_id, action, user, payload=payload)


@pytest.mark.parametrize("route,cert_type", [("pinzibiao_agri", "pinzibiao_agri"),
                                             ("pinzibiao_service", "pinzibiao_service")])
def test_recognition_route_registers_its_own_certificate(cast, route, cert_type):
    application = applications.start(cast.applicant, route, None, FIELDS)
    _run(application.id, [("submit", cast.applicant, {}), ("recommend", cast.town, {}), ("accept", cast.bureau, {}),
                          ("review_passed", cast.bureau, {}), ("site_check_passed", cast.bureau, {}),
                          ("issue_certificate", cast.bureau, {**CERT, "cert_number": f"{route}-001"})])
    application = db.session.get(Application, application.id)
    assert (application.stage, application.status) == ("recognised", "done")
    cert = db.session.get(Certification, application.certification_id)
    assert (cert.cert_type, cert.number, cert.scope, cert.expires_on) == (cert_type, f"{route}-001", "临海蜜桔",
                                                                          date(2029, 3, 1))
    engine.apply(application.id, "suspend", cast.bureau, reason="监督不合格")
    db.session.expire_all()
    assert db.session.get(Certification, cert.id).status == "suspended"


def test_recognition_needs_the_standard_it_meets(cast):
    application = applications.start(cast.applicant, "pinzibiao_agri", None, {**FIELDS, "standard_proposal": ""})
    with pytest.raises(ValidationFailed) as failed:
        engine.apply(application.id, "submit", cast.applicant)
    assert "执行标准" in failed.value.errors["action"][0]


def _declaration_at_credit_check(cast):
    standard = own_standard(cast.enterprise, status="published")
    application = applications.start(cast.applicant, "pinzibiao_declaration", None,
                                     {**FIELDS, "standard_id": standard.id})
    _run(application.id, [("submit", cast.applicant, {}), ("recommend", cast.town, {}), ("accept", cast.bureau, {}),
                          ("standard_published", cast.bureau, {})])
    assert db.session.get(Application, application.id).stage == "self_declaration"
    return application.id


def test_declaration_route_checks_credit_then_registers(cast):
    application_id = _declaration_at_credit_check(cast)
    with pytest.raises(ValidationFailed):  # the applicant has not said where the declaration is public
        engine.apply(application_id, "declare", cast.applicant, payload={"declared_on": "2026-02-01"})
    engine.apply(application_id, "declare", cast.applicant,
                 payload={"declared_on": "2026-02-01", "declaration_url": "https://www.cpzbz.cn/d/9",
                          "pledge_signed_on": "2026-02-01"})
    listing = CreditRecordFactory(enterprise=cast.enterprise, list_type="serious_dishonesty",
                                  listed_on=date(2025, 6, 1), removed_on=None)
    db.session.commit()
    payload = {**CERT, "cert_number": "ZS-2026-01", "issuer": "企业标准信息公共服务平台"}
    with pytest.raises(ValidationFailed) as refused:
        engine.apply(application_id, "register_declaration", cast.bureau, payload=payload)
    assert "严重违法失信名单" in refused.value.errors["action"][0]
    listing.removed_on = date(2025, 12, 1)  # removed from the list: the guarantee holds again
    db.session.commit()
    engine.apply(application_id, "register_declaration", cast.bureau, payload=payload)
    application = db.session.get(Application, application_id)
    assert (application.stage, application.status) == ("declared", "done")
    assert application.data["declaration_url"] == "https://www.cpzbz.cn/d/9"
    cert = db.session.get(Certification, application.certification_id)
    assert (cert.cert_type, cert.number) == ("pinzibiao_declaration", "ZS-2026-01")


def test_enterprise_chooses_the_route_and_inboxes_show_it(client, auth, cast):
    auth.login(cast.applicant)
    form = client.get("/applications/new").get_data(as_text=True)
    assert "品字标浙江农产认定" in form and "品字标浙江服务认定" in form and "自我声明公开" in form
    token = auth.csrf("/applications/new")
    for bad in ("quality_award", "no_such_route"):
        refused = client.post("/applications/new", data={"csrf_token": token, "workflow": bad, **FIELDS})
        assert refused.status_code == 200 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert db.session.scalar(select(Application)) is None
    response = client.post("/applications/new", data={"csrf_token": token, "workflow": "pinzibiao_service",
                                                      **FIELDS, "product": "海鲜餐饮服务"})
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    assert application.workflow == "pinzibiao_service"
    assert "品字标浙江服务认定" in client.get("/applications").get_data(as_text=True)
    client.post(f"/applications/{application.id}/act", data={"csrf_token": auth.csrf(f"/applications/{application.id}"),
                                                             "action": "submit", "version": 1})
    auth.logout()
    auth.login(cast.town)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "海鲜餐饮服务" in inbox and "品字标浙江服务认定" in inbox
