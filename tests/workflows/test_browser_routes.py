"""The other 品字标 routes in a real browser (desktop 1366 px and phone 390 px): the enterprise chooses the route and
applies, the bureau finds it in its inbox under its route and records the 认定 certificate (浙江农产, 浙江服务) or, on
the self-declaration route, the enterprise records its public declaration and the bureau registers it after the
credit check. Screenshots: test-artifacts/screenshots/routes-*.png."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Certification
from tests.browser.fixtures import confirm_if_asked, sign_in
from tests.workflows.conftest import own_standard
from workflows import engine
from workflows.models import Application

VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ROUTES = {"pinzibiao_agri": ("涌泉蜜桔", "品字标浙江农产认定"), "pinzibiao_service": ("港口物流仓储服务", "品字标浙江服务认定"),
          "pinzibiao_declaration": ("户外休闲家具", "自我声明公开")}


def _page(browser, live_server, size):
    extra = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN", base_url=live_server, **extra)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _act(page, action: str, fields: dict | None = None, expect: str | None = None) -> None:
    form = page.locator(f"form:has(input[name=action][value={action}])")
    for name, value in (fields or {}).items():
        form.locator(f"#f_{action}_{name}").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
        confirm_if_asked(page, expect=expect)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("size", ["desktop", "phone"])
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_a_route_from_application_to_the_registry(browser, live_server, shot, cast, route, size):
    product, route_words = ROUTES[route]
    name = f"routes-{route.removeprefix('pinzibiao_')}"
    context, page = _page(browser, live_server, size)
    try:
        sign_in(page, cast.applicant.email)
        page.goto("/applications/new")
        page.select_option("#workflow", route)
        page.fill("#product", product)
        page.fill("#standard_proposal", f"{product}团体标准")
        page.fill("#self_assessment", "对照标准逐项自评，均达到要求。")
        shot(page, f"{name}-apply-{size}")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert route_words in page.locator("h1").inner_text() or route_words in page.content()
        _act(page, "submit", expect="镇街推荐")
        db.session.commit()  # a fresh snapshot: the live server wrote in its own transactions
        application = db.session.scalar(select(Application).where(Application.workflow == route))
        engine.apply(application.id, "recommend", cast.town)
        engine.apply(application.id, "accept", cast.bureau)
        if route == "pinzibiao_declaration":
            standard = own_standard(cast.enterprise, status="published")
            db.session.commit()
            engine.apply(application.id, "link_standard", cast.bureau, payload={"standard_id": standard.id})
            engine.apply(application.id, "standard_published", cast.bureau)
            page.goto(f"/applications/{application.id}")
            _act(page, "declare", {"declared_on": "2026-02-01", "declaration_url": "https://www.cpzbz.cn/d/7",
                                   "pledge_signed_on": "2026-02-01"}, expect="信用审查")
            assert "https://www.cpzbz.cn/d/7" in page.locator("dl.kv").inner_text()
            _no_sideways_scroll(page)
            shot(page, f"{name}-declared-{size}")
        else:
            engine.apply(application.id, "review_passed", cast.bureau)
            engine.apply(application.id, "site_check_passed", cast.bureau)
        db.session.commit()
    finally:
        context.close()

    context, page = _page(browser, live_server, size)
    try:
        sign_in(page, cast.bureau.email)
        page.goto("/inbox")
        row = page.locator("table.list tbody tr", has_text=product)
        assert route_words[:6] in row.inner_text() or "自我声明" in row.inner_text()
        _no_sideways_scroll(page)
        shot(page, f"{name}-inbox-{size}")
        page.goto(f"/applications/{application.id}")
        action = "register_declaration" if route == "pinzibiao_declaration" else "issue_certificate"
        _act(page, action, {"cert_number": f"{route}-B-{size}", "issuer": "浙江省品牌建设联合会",
                            "issued_on": "2026-03-01"})
        assert "已办理" in page.locator("main .flash").first.inner_text()
        _no_sideways_scroll(page)
        shot(page, f"{name}-registered-{size}")
        db.session.commit()
        done = db.session.get(Application, application.id)
        assert done.status == "done"
        assert db.session.get(Certification, done.certification_id).cert_type == route
    finally:
        context.close()
