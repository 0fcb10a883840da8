"""The bureau's figures in a real browser: the dashboard with an official figure beside the count, the official
figure entry and its itemised difference, a 中期评估 built by the worker with its trend charts; desktop and phone."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from registry.extensions import db
from registry.targets.models import Indicator
from tests.browser.fixtures import sign_in
from tests.targets.factories import StandardDrafterFactory, StandardFactory

D = dt.date


def test_dashboard_official_figure_and_midterm_review(page, phone_page, shot, make_user, indicators, celery_worker):
    for number, day in (("T/ZZB 2501-2021", D(2021, 5, 1)), ("T/ZZB 2502-2022", D(2022, 5, 1)),
                        ("T/ZZB 2503-2023", D(2023, 5, 1))):
        StandardDrafterFactory(standard=StandardFactory(level="group_zzb", number=number, status="published",
                                                        published_on=day), role="lead")
    code = db.session.scalar(select(Indicator.code).where(Indicator.rule == "zzb_standards"))
    bureau = make_user("bureau")
    sign_in(page, bureau.email)

    page.goto(f"/targets/indicators/{code}/values")
    assert "录入或更新某年官方数据" in page.content()
    page.fill("input[name=year]", "2023")
    page.fill("input[name=value]", "4")
    page.fill("input[name=source]", "浙江省品字标平台 2023 年度通报")
    page.fill("input[name=published_on]", "2024-01-15")
    page.fill("textarea[name=items]", "T/ZZB 2501-2021\nT/ZZB 2502-2022\nT/ZZB 2503-2023\nT/ZZB 2599-2023")
    page.click("form:has(input[name=source]) button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "2023 年数值已保存" in page.content()
    shot(page, "targets-official-entry")
    page.click("text=查看差异")
    page.wait_for_load_state("networkidle")
    body = page.content()
    assert "T/ZZB 2599-2023" in body.split("官方清单列出、登记库未计入的（1）")[1]
    shot(page, "targets-official-difference")

    page.goto("/targets/")
    assert "官方数据（2023 年）：4，登记库 3，差 -1" in page.content()
    assert page.locator("svg.chart").count() >= 1  # the share chart, drawn on the server
    shot(page, "targets-dashboard-with-official")

    page.goto("/targets/reviews")
    page.select_option("select[name=kind]", "midterm")
    page.fill("input[name=year]", "2023")
    page.click("form:has(select[name=kind]) button[type=submit]")
    try:
        page.wait_for_selector("text=临海市质量发展“十四五”规划中期评估", timeout=90000)  # reloaded when done
    except Exception:
        from registry.targets.models import PlanReview
        db.session.expire_all()
        raise AssertionError((page.url, [(r.status, r.progress, r.error) for r in db.session.scalars(select(PlanReview))],
                              page.content()[-1500:], celery_worker.log()[-1500:]))
    assert page.locator("td svg.spark").count() >= 10  # a trend chart per count indicator
    shot(page, "targets-midterm-review")
    page.emulate_media(media="print")
    assert not page.locator("nav.tabs").is_visible() and not page.locator(".topbar").is_visible()
    shot(page, "targets-midterm-review-print")

    sign_in(phone_page, bureau.email)
    phone_page.goto(page.url.replace(page.url.split("/targets")[0], ""))
    assert phone_page.locator("td svg.spark").count() >= 10
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # no sideways scrolling of the page; wide tables scroll inside their box
    shot(phone_page, "targets-midterm-review-phone")
