"""The registry pages in a real browser (Playwright + Debian Chromium): sign in, search, open an enterprise, try an
invalid credit code and see the error; the phone layout of the list. Screenshots go to test-artifacts/screenshots/."""
from __future__ import annotations

import datetime as dt

from registry.clock import today
from tests.browser.fixtures import sign_in
from tests.factories import CertificationFactory, EnterpriseFactory, jurisdiction


def _registry(make_user):
    day = today()
    target = EnterpriseFactory(name="浙江华海药业股份有限公司", jurisdiction=jurisdiction("331082112"))
    CertificationFactory(enterprise=target, number="CZJM-EXPIRED", issued_on=day - dt.timedelta(days=1200),
                         expires_on=day - dt.timedelta(days=3))
    CertificationFactory(enterprise=target, number="CZJM-VALID", issued_on=day - dt.timedelta(days=30),
                         expires_on=day + dt.timedelta(days=1000))
    for n in range(5):
        EnterpriseFactory(name=f"临海市眼镜{n}有限公司")
    return target, make_user("bureau")


def test_search_open_and_invalid_credit_code(page, shot, make_user):  # noqa: F811
    target, bureau = _registry(make_user)
    sign_in(page, bureau.email)
    page.goto("/enterprises")
    page.fill("input[name=q]", "华海")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "共 1 家" in page.content()
    shot(page, "registry-01-search")

    page.click("text=浙江华海药业股份有限公司")
    page.wait_for_load_state("networkidle")
    assert page.locator("#certifications .badge.expired").inner_text() == "已过期"
    assert page.locator("#certifications .badge.valid").inner_text() == "有效"
    shot(page, "registry-02-enterprise")

    page.click("text=编辑企业信息")
    page.fill("input[name=uscc]", "91331082ABCDEFGHIJ")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    error = page.locator(".field.has-error .error").first.inner_text()
    assert "统一社会信用代码" in error and "不是合法字符" in error
    assert page.input_value("input[name=uscc]") == "91331082ABCDEFGHIJ"  # the input is kept
    shot(page, "registry-03-invalid-credit-code")


def test_list_on_a_phone(phone_page, shot, make_user):  # noqa: F811
    _target, bureau = _registry(make_user)
    sign_in(phone_page, bureau.email)
    phone_page.goto("/enterprises")
    cell = phone_page.locator("table.list.stack tbody tr:first-child td").first
    assert cell.get_attribute("data-label") == "企业名称"
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # stacked rows: nothing runs off the screen
    shot(phone_page, "registry-04-phone-list")
