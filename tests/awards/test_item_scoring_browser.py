"""The expert's sheet by GB/T 19580 item in Chromium, desktop 1366 px and a 390 px phone (screenshots
test-artifacts/screenshots/award-items-*.png): 23 items under their categories with points, the guide's bands,
percentages in steps of 5, no sideways scroll on the phone; the bureau's application page shows the item means."""
from __future__ import annotations

import datetime as dt

from registry import clock
from registry.awards import panels, rounds, scoring
from registry.awards.gbt19580 import ITEMS
from registry.extensions import db
from registry.models import User
from tests.awards.conftest import eligible, self_assessment
from tests.awards.test_item_scoring import _at_document_review
from tests.browser.fixtures import confirm_if_asked, sign_in
from tests.factories import EnterpriseFactory, UserFactory
from registry.awards.models import Expert


def test_item_sheet_on_desktop_and_phone(page, phone_page, shot):
    now, today = clock.now(), clock.today()
    bureau = UserFactory(role="bureau", email="items-bureau@linhai.example.cn")
    found = rounds.open_round(bureau, name="第六届临海市政府质量奖（按评分项）", level="linhai", year=today.year,
                              call_opens_on=today - dt.timedelta(days=5), call_closes_on=today + dt.timedelta(days=20),
                              quotas={"quality_award": 2}, scoring_scheme="items")
    for i in range(8):
        user = UserFactory(role="expert", email=f"items-expert{i}@linhai.example.cn", display_name=f"评分专家{i}")
        db.session.add(Expert(user_id=user.id, name=f"评分专家{i}", can_lead=i < 3, specialties=["卓越绩效"]))
    db.session.commit()
    entry = rounds.add_entry(found.id, EnterpriseFactory(name="浙江临海评分项示例有限公司").id,
                             self_assessment=self_assessment(), declaration=True, now=now, excellence_since=2018)
    eligible(entry, bureau)
    panels.draw_panels(bureau, [entry.id], now, size=5, n_substitutes=2)
    seated = [db.session.get(User, m.expert.user_id) for m in panels.members(entry.id, seated_only=True)]
    for user in seated:
        panels.declare(entry.id, user, conflict=False, reason=None, now=now)
    _at_document_review(entry)
    for user in seated[1:]:
        scoring.submit(entry.id, user, "document", {i.code: 70 for i in ITEMS}, now)

    url = f"/awards/expert/entries/{entry.id}"
    sign_in(page, seated[0].email)
    page.goto(url)
    assert page.locator("input[name^=score_][step='5']").count() == 23
    assert page.locator("fieldset.aw-items").count() == 7
    assert "4.7.2 产品和服务结果（80分）" in page.inner_text("main")
    assert "90%–100%" in page.inner_text(".aw-bands")
    for item in ITEMS:
        page.fill(f"input[name=score_{item.key}]", "70")
    page.fill("input[name=score_4_4_3]", "33")  # not a step of the guide
    shot(page, "award-items-01-sheet-desktop")
    page.locator("main form button[type=submit]").click()
    confirm_if_asked(page)
    page.wait_for_load_state("networkidle")
    assert "5 的倍数" in page.inner_text("main")
    assert scoring.live_scores(entry.id, "document") and len(
        [s for s in scoring.live_scores(entry.id, "document") if s.expert_id == panels.members(
            entry.id, seated_only=True)[0].expert_id]) == 0

    sign_in(phone_page, seated[0].email)
    phone_page.goto(url)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "award-items-02-sheet-phone")
    for item in ITEMS:
        phone_page.fill(f"input[name=score_{item.key}]", "70")
    phone_page.locator("main form button[type=submit]").click()
    confirm_if_asked(phone_page)
    phone_page.wait_for_load_state("networkidle")
    assert "评分已提交。" in phone_page.inner_text("body")
    assert "当前环节：现场评审" in phone_page.inner_text("main")  # the last sheet settled the document review
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "award-items-03-submitted-phone")
    db.session.rollback()  # a fresh read: the live server wrote the scores
    assert db.session.get(type(entry), entry.id).review_scores["document"] == 700.0

    sign_in(page, bureau.email)
    page.goto(f"/awards/applications/{entry.application_id}")
    table = page.inner_text(".aw-item-scores")
    assert "4.1.2 高层领导的作用" in table and "35.0" in table
    shot(page, "award-items-04-application-desktop")
