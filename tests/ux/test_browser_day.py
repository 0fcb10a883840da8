"""Issue 12: the applicant's and a reviewer's day in a real browser (desktop 1366 px and phone 390 px), touching
the items fixed here: the returned application's banner (2), master data validation beside the fields (3), the
standard picker (4), upload rules (5), the confirmation dialog of irreversible actions (6), bulk return with
select-all (8), the person in history (11), Linhai time (14). Screenshots: test-artifacts/screenshots/ux-*.png."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from registry.extensions import db
from tests.browser.fixtures import confirm_if_asked, sign_in
from tests.workflows.conftest import own_standard, place
from workflows import engine
from workflows.models import Application, Transition

REASON = "请补充近三年产品检验报告和质量管理体系证书扫描件。"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def _page(browser, live_server, size):
    extra = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    context = browser.new_context(viewport=VIEWPORTS[size], locale="zh-CN", base_url=live_server, **extra)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return context, page, errors


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_applicants_day(browser, live_server, shot, cast, draft, size):
    own_standard(cast.enterprise, number="T/ZZB 7001-2025", title="本企业的齿轮标准")
    application = draft()
    place(application.id, "town_recommendation", "in_progress")
    engine.apply(application.id, "return", cast.town, reason=REASON)
    db.session.commit()
    context, page, errors = _page(browser, live_server, size)
    try:
        sign_in(page, cast.applicant.email)
        page.goto(f"/applications/{application.id}")
        banner = page.locator(".returned-banner")
        assert banner.is_visible() and REASON in banner.inner_text() and cast.town.display_name in banner.inner_text()
        first_button = page.locator("main button").first.bounding_box()
        assert banner.bounding_box()["y"] < first_button["y"]  # the reason comes before any button
        assert "允许的类型" in page.locator(".upload-rule").first.inner_text()
        assert "本企业的齿轮标准" in page.locator("#standard_id").inner_text()
        shot(page, f"ux-applicant-returned-{size}")

        # Withdrawing asks first; cancelling leaves the application as it was.
        page.fill("#r_withdraw", "不再申请")
        page.locator("form:has(input[value=withdraw]) button[type=submit]").click()
        dialog = page.locator("#confirm-dialog[open]")
        assert "撤回并结束" in dialog.inner_text()
        shot(page, f"ux-applicant-confirm-withdraw-{size}")
        dialog.get_by_role("button", name="取消").click()
        assert not page.locator("#confirm-dialog[open]").count()
        db.session.commit()  # a fresh snapshot: the live server wrote in its own transactions
        assert db.session.get(Application, application.id).status == "returned"

        # Resubmitting asks, names where it goes, and then happens.
        with page.expect_navigation():
            page.locator("form:has(input[value=resubmit]) button[type=submit]").click()
            confirm_if_asked(page, expect="镇街推荐")
        assert "已办理" in page.locator("main .flash").first.inner_text()
        assert not page.locator(".returned-banner").count()
        history = page.locator("table.list").last.inner_text()
        assert cast.town.display_name in history and cast.applicant.display_name in history  # people, not 系统
        shot(page, f"ux-applicant-resubmitted-{size}")

        # Master data: a landline without its area code and a bad address are refused beside the fields.
        page.goto(f"/enterprises/{cast.enterprise.id}/edit")
        page.fill("input[name=contact_phone]", "8512345")
        page.fill("input[name=contact_email]", "chen at example")
        page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        phone_error = page.locator(".field.has-error:has(input[name=contact_phone]) .error").inner_text()
        assert "带区号的固定电话" in phone_error
        assert "电子邮箱" in page.locator(".field.has-error:has(input[name=contact_email]) .error").inner_text()
        shot(page, f"ux-applicant-master-data-{size}")
        assert [e for e in errors if "status of 422" not in e] == []  # the refused form is a 422, on purpose
    finally:
        context.close()


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_reviewers_day(browser, live_server, shot, cast, draft, size):
    apps = []
    for i in range(3):
        application = draft(product=f"批量产品{i}")
        place(application.id, "town_recommendation", "in_progress")
        apps.append(application.id)
    db.session.commit()
    context, page, errors = _page(browser, live_server, size)
    try:
        sign_in(page, cast.town.email)
        page.goto("/inbox")
        page.locator("[data-select-all=pick]:visible").first.check()  # on a phone the table header is folded away
        assert page.locator("input[name=pick]:checked").count() == 3
        page.fill("#bulk-reason", REASON)
        shot(page, f"ux-reviewer-inbox-{size}")
        page.locator("button[name=action][value=return]").click()
        question = page.locator("#confirm-dialog[open] #confirm-text").inner_text()
        assert "3 件" in question and "退回企业补正" in question
        shot(page, f"ux-reviewer-confirm-bulk-return-{size}")
        with page.expect_navigation():
            page.locator("#confirm-dialog #confirm-ok").click()
        assert "已办理 3 件" in page.locator("main .flash").first.inner_text()
        db.session.commit()  # a fresh snapshot: the live server wrote in its own transactions
        assert {db.session.get(Application, i).status for i in apps} == {"returned"}
        assert set(db.session.scalars(select(Transition.reason).where(Transition.action == "return"))) == {REASON}

        # The applicant corrects one; the reviewer rejects it, and the dialog says it cannot be undone.
        engine.apply(apps[0], "resubmit", cast.applicant)
        db.session.commit()
        page.goto(f"/applications/{apps[0]}")
        page.fill("#r_reject", "材料不实")
        page.locator("form:has(input[value=reject]) button[type=submit]").click()
        assert "不能恢复" in page.locator("#confirm-dialog[open]").inner_text()
        shot(page, f"ux-reviewer-confirm-reject-{size}")
        with page.expect_navigation():
            page.locator("#confirm-dialog #confirm-ok").click()
        db.session.commit()  # a fresh snapshot: the live server wrote in its own transactions
        assert db.session.get(Application, apps[0]).status == "rejected"
        times = page.locator("table.list").last.locator("td").first.inner_text()
        shot(page, f"ux-reviewer-rejected-{size}")
        assert times[:4].isdigit()
        assert errors == []
    finally:
        context.close()
