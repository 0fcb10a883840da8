"""After certification (issue 15 item 2): the body's surveillance audit, 暂停, 撤销, 注销, 再认证, 扩项 and 变更, each
changing the registry Certification and logged on the application; the expiry reminder reaches the body too."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Certification
from registry.services.errors import ValidationFailed
from tests.workflows.conftest import place
from workflows import engine
from workflows.models import Application, Notification
from workflows.services import sweeps


@pytest.fixture
def certified(cast, draft):
    application = draft()
    application.certification_body_id = cast.body.id
    db.session.commit()
    place(application.id, "cert_decision", "in_progress")
    engine.apply(application.id, "issue_certificate", cast.certifier,
                 payload={"cert_number": f"ZJM-{application.id}", "issued_on": "2026-03-01"})
    return db.session.get(Application, application.id)


def _cert(application) -> Certification:
    db.session.expire_all()
    return db.session.get(Certification, db.session.get(Application, application.id).certification_id)


def test_a_failed_surveillance_suspends_the_certificate(cast, certified):
    engine.apply(certified.id, "record_surveillance", cast.certifier, payload={"surveyed_on": "2027-02-20",
                                                                               "result": "通过"})
    assert _cert(certified).status == "valid"
    outcome = engine.apply(certified.id, "surveillance_failed", cast.certifier, reason="关键工序控制不符合",
                           payload={"surveyed_on": "2028-02-20"})
    assert outcome.status == "suspended" and _cert(certified).status == "suspended"
    data = db.session.get(Application, certified.id).data
    assert [s["result"] for s in data["surveillances"]] == ["通过", "不通过"]
    engine.apply(certified.id, "restore", cast.certifier, reason="整改验证通过")
    assert _cert(certified).status == "valid"


def test_cancel_ends_the_certificate(cast, certified):
    outcome = engine.apply(certified.id, "cancel", cast.bureau, reason="企业申请注销")
    cert = _cert(certified)
    assert (outcome.status, cert.status) == ("cancelled", "cancelled")
    assert cert.status_on(date(2099, 1, 1)) == "cancelled"


def test_recertify_runs_the_certificate_to_the_new_expiry(cast, certified):
    assert _cert(certified).expires_on == date(2029, 3, 1)
    with pytest.raises(ValidationFailed) as info:
        engine.apply(certified.id, "recertify", cast.certifier, payload={"expires_on": "2029-03-01"})
    assert "expires_on" in info.value.errors
    engine.apply(certified.id, "recertify", cast.certifier,
                 payload={"expires_on": "2032-03-01", "cert_number": f"ZJM-{certified.id}-R"})
    cert = _cert(certified)
    assert (cert.expires_on, cert.number, cert.issued_on) == (date(2032, 3, 1), f"ZJM-{certified.id}-R",
                                                               date(2026, 3, 1))  # first issued stays (the targets)
    event = db.session.get(Application, certified.id).data["certificate_events"][-1]
    assert event["kind"] == "recertified" and event["previous_expiry"] == "2029-03-01"


def test_extend_scope_and_change_rewrite_the_certificate_scope(cast, certified):
    engine.apply(certified.id, "extend_scope", cast.certifier, payload={"scope_added": "斜齿轮 X2 型"})
    assert _cert(certified).scope == "高精度汽车齿轮；斜齿轮 X2 型"
    engine.apply(certified.id, "change", cast.bureau, payload={"change_note": "企业地址变更"})
    assert _cert(certified).scope == "高精度汽车齿轮；斜齿轮 X2 型"  # no new scope given: unchanged
    engine.apply(certified.id, "change", cast.certifier, payload={"change_note": "型号更名", "scope": "汽车齿轮 A 系列"})
    assert _cert(certified).scope == "汽车齿轮 A 系列"
    kinds = [e["kind"] for e in db.session.get(Application, certified.id).data["certificate_events"]]
    assert kinds == ["scope_extended", "changed", "changed"]


def test_the_expiry_reminder_reaches_the_certification_body(cast, certified):
    sweeps.sweep_certificates(datetime(2029, 1, 10, 2, tzinfo=timezone.utc))
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "expiry",
                                                                     Notification.application_id == certified.id)))
    assert {cast.certifier.id, cast.bureau.id, cast.applicant.id} <= told
    assert cast.other_certifier.id not in told


def test_the_page_lists_what_happened_after_certification(cast, certified, auth):
    engine.apply(certified.id, "extend_scope", cast.certifier, payload={"scope_added": "斜齿轮 X2 型"})
    auth.login(cast.certifier)
    page = auth.client.get(f"/applications/{certified.id}").get_data(as_text=True)
    assert "获证后" in page and "斜齿轮 X2 型" in page and "注销证书" in page and "再认证" in page
