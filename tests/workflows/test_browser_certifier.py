"""The certification body's day in a real browser (desktop 1366 px and phone 390 px): the enterprise applies to a
body of the catalogue; the body's auditor finds it in its inbox, records 受理, 工厂审核 and the decision with the
certificate, while the bureau has recorded the product test from the paper report (marked in the history); the
certificate lands in the registry under the body's name. Screenshots: test-artifacts/screenshots/certifier-*.png."""
from __future__ import annotations

import pytest

from registry.extensions import db
from registry.models import Certification
from tests.browser.fixtures import confirm_if_asked, sign_in
from tests.workflows.conftest import own_standard
from workflows import engine
from workflows.models import Application

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _page(browser, live_server, size):
    extra = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN", base_url=live_server, **extra)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _act(page, action: str, fields: dict | None = None, selects: dict | None = None, expect: str | None = None):
    form = page.locator(f"form:has(input[name=action][value={action}])")
    for name, value in (fields or {}).items():
        form.locator(f"#f_{action}_{name}").fill(value)
    for name, value in (selects or {}).items():
        form.locator(f"#f_{action}_{name}").select_option(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
        confirm_if_asked(page, expect=expect)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_certification_body_certifies(browser, live_server, shot, cast, draft, size):
    standard = own_standard(cast.enterprise, status="published")
    application = draft(product=f"精密齿轮箱 {size}")
    app_id = application.id
    for action, user, payload in (("submit", cast.applicant, {}), ("recommend", cast.town, {}),
                                  ("accept", cast.bureau, {}),
                                  ("link_standard", cast.applicant, {"standard_id": standard.id}),
                                  ("standard_published", cast.bureau, {})):
        engine.apply(app_id, action, user, payload=payload)

    context, page = _page(browser, live_server, size)
    try:  # the enterprise applies to a body of the catalogue
        sign_in(page, cast.applicant.email)
        page.goto(f"/applications/{app_id}")
        _act(page, "choose_body", selects={"certification_body_id": str(cast.body.id)}, expect="认证受理")
        assert cast.body.name in page.locator("dl.kv").inner_text()
        shot(page, f"certifier-applied-{size}")
    finally:
        context.close()

    context, page = _page(browser, live_server, size)
    try:  # the body's auditor
        sign_in(page, cast.certifier.email)
        page.goto("/inbox")
        row = page.locator("table.list tbody tr", has_text=f"精密齿轮箱 {size}")
        assert "认证受理" in row.inner_text()
        _no_sideways_scroll(page)
        shot(page, f"certifier-inbox-{size}")
        page.goto(f"/applications/{app_id}")
        _act(page, "body_accepted", {"accepted_on": "2026-03-02"}, expect="产品检验")
        db.session.commit()
        engine.apply(app_id, "testing_passed", cast.bureau, payload={"test_report_no": "JY-2026-031"})  # on paper
        page.goto(f"/applications/{app_id}")
        history = page.locator("section.card", has=page.locator("h2", has_text="流转记录"))
        assert history.locator("tr", has_text="记录：产品检验合格").locator(".badge").inner_text() == "市局据纸质结果代录"
        _act(page, "audit_passed", {"audited_on": "2026-04-10", "audit_report_no": "SH-2026-12"}, expect="评价与决定")
        _no_sideways_scroll(page)
        shot(page, f"certifier-decision-{size}")
        _act(page, "issue_certificate", {"cert_number": f"CZJM-B-{size}", "issued_on": "2026-04-20"},
             expect="登记到企业的认证证书记录")
        assert "已办理" in page.locator("main .flash").first.inner_text()
        _no_sideways_scroll(page)
        shot(page, f"certifier-certified-{size}")
    finally:
        context.close()
    db.session.commit()
    done = db.session.get(Application, app_id)
    assert (done.stage, done.status) == ("certified", "done")
    cert = db.session.get(Certification, done.certification_id)
    assert (cert.number, cert.issuer) == (f"CZJM-B-{size}", cast.body.name)


def test_another_body_sees_nothing(browser, live_server, cast, draft):
    application = draft()
    application.certification_body_id = cast.body.id
    db.session.commit()
    context, page = _page(browser, live_server, "desktop")
    try:
        sign_in(page, cast.other_certifier.email)
        response = page.goto(f"/applications/{application.id}")
        assert response.status == 404
        page.goto("/inbox")
        assert "高精度汽车齿轮" not in page.content()
    finally:
        context.close()
