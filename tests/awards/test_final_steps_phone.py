"""The award's final steps on a 390 px phone (issue 15: screenshots looked at): the shortlist, the committee's vote,
the public notice with its objection form and the bureau's investigation, the government's 审定 and a recommending
round's upward outcome. Each page must fit the width (no sideways scroll) and keeps a full-page screenshot under
test-artifacts/screenshots/award-phone-*.png."""
from __future__ import annotations

import datetime as dt

from registry import clock
from registry.awards import committee, notice, objections, rounds
from registry.extensions import db
from tests.awards.conftest import eligible, self_assessment
from tests.awards.test_committee_notice import MEMBERS
from tests.browser.fixtures import sign_in
from tests.factories import EnterpriseFactory, UserFactory

FIRMS = ["浙江临海精工机械股份有限公司", "临海市东方眼镜制造有限公司", "浙江华海药业临海分公司", "临海市永强户外休闲用品有限公司"]


def _round(bureau, name, level="linhai", **quotas):
    today = clock.today()
    found = rounds.open_round(bureau, name=name, level=level, year=today.year, quotas=quotas,
                              call_opens_on=today - dt.timedelta(days=90), call_closes_on=today - dt.timedelta(days=60),
                              issuer="台州市人民政府" if level == "taizhou" else "临海市人民政府",
                              shortlist_min_score=700, shortlist_max=3)
    in_call = clock.now() - dt.timedelta(days=75)
    entries = []
    for i, firm in enumerate(FIRMS):
        kind = "quality_innovation_award" if i == 3 and quotas.get("quality_innovation_award") else "quality_award"
        entry = rounds.add_entry(found.id, EnterpriseFactory(name=firm).id,
                                 self_assessment=self_assessment(), declaration=True, now=in_call, kind=kind)
        eligible(entry, bureau)
        entry.review_scores = {"document": 860 - 55 * i}
        entries.append(entry)
    db.session.commit()
    return found, entries


def _reviewed(found, entries):
    for i, entry in enumerate(entries):
        entry.review_scores = {**entry.review_scores, "site": 870 - 50 * i}
        entry.final_score = 865 - 52 * i
        entry.shortlisted = True
    found.shortlisted_at = clock.now()
    db.session.commit()


def _to_notice(found, bureau, days_ago=0):
    now = clock.now() - dt.timedelta(days=days_ago)
    committee.decide(found.id, bureau, committee.suggestion(found.id), now, met_on=clock.local_date(now),
                     members=MEMBERS, votes={e.id: (6, 1, 0) for e in committee.ranking(found.id)},
                     resolution="经表决，同意列入名单。")
    notice.publish(found.id, bureau, now)
    db.session.refresh(found)


# The form controls of the page whose right edge is past the screen's (cut off by a box that hides its overflow).
OFF_SCREEN = """() => [...document.querySelectorAll('main input, main select, main textarea, main button')]
    .filter(el => el.type !== 'hidden' && el.getClientRects().length
                  && el.getBoundingClientRect().right > window.innerWidth + 1).map(el => el.name || el.textContent)"""


def _section_shot(pg, anchor: str, path) -> None:
    """The part of the page from ``anchor`` (an h2) to the next h2, as its own picture (the round page is long)."""
    top, bottom = pg.evaluate("""(sel) => {
        const h = document.querySelector(sel); let n = h.nextElementSibling;
        while (n && n.tagName !== 'H2') n = n.nextElementSibling;
        const y = (el) => el.getBoundingClientRect().top + window.scrollY;
        return [y(h), n ? y(n) : document.documentElement.scrollHeight]; }""", anchor)
    pg.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": top - 8, "width": 390, "height": bottom - top})


def test_final_steps_fit_a_phone(browser, live_server, shot):
    bureau = UserFactory(role="bureau", email="phone-bureau@linhai.example.cn", display_name="市局李科长")
    at_shortlist, _ = _round(bureau, "第五届临海市政府质量奖（入围）", quality_award=2, quality_award_nomination=1)
    at_vote, entries = _round(bureau, "第五届临海市政府质量奖（审议）", quality_award=2, quality_award_nomination=1,
                              quality_innovation_award=1)
    _reviewed(at_vote, entries)
    in_notice, entries = _round(bureau, "第五届临海市政府质量奖（公示）", quality_award=2, quality_award_nomination=1)
    _reviewed(in_notice, entries)
    _to_notice(in_notice, bureau)
    objections.file_public(in_notice.id, name="张先生", phone="13805760000", entry_id=entries[0].id,
                           text="该企业去年被消费者投诉产品质量问题，请核实。", now=clock.now())
    at_approval, entries = _round(bureau, "第五届临海市政府质量奖（审定）", quality_award=2, quality_award_nomination=1)
    _reviewed(at_approval, entries)
    _to_notice(at_approval, bureau, days_ago=10)
    upward, entries = _round(bureau, "台州市政府质量奖（临海推荐）", "taizhou", quality_award=2,
                             quality_innovation_award=1)
    _reviewed(upward, entries)
    _to_notice(upward, bureau, days_ago=10)
    assert notice.close_notices(clock.now()) == sorted([at_approval.id, upward.id])
    ids = {name: r.id for name, r in (("shortlist", at_shortlist), ("vote", at_vote), ("notice", in_notice),
                                      ("approval", at_approval), ("upward", upward))}
    db.session.commit()

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True, base_url=live_server)
    visitor_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                          has_touch=True, base_url=live_server)
    try:
        phone = context.new_page()
        phone.set_default_timeout(15000)
        sign_in(phone, "phone-bureau@linhai.example.cn")
        for name, anchor, words in (("shortlist", "#shortlist", "确定入围名单"), ("vote", "#committee", "保存审议结果"),
                                    ("notice", "#objections", "提交核实结论和答复"),
                                    ("approval", "#approval", "登记政府审定结果"),
                                    ("upward", "#approval", "登记上级评定结果")):
            phone.goto(f"/awards/rounds/{ids[name]}")
            assert words in phone.inner_text("main"), name
            if name == "upward":
                assert phone.inner_text(".page-head .badge") == "待登记上级评定结果"
            phone.locator(anchor).scroll_into_view_if_needed()
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390, name
            # nothing inside is cut off either: every field and button ends inside the screen
            assert phone.evaluate(OFF_SCREEN) == [], name
            shot(phone, f"award-phone-{name}")
            _section_shot(phone, anchor, shot(phone, f"award-phone-{name}").with_name(f"award-phone-{name}-part.png"))
        visitor = visitor_context.new_page()
        visitor.goto(f"/awards/notices/{ids['notice']}")
        assert "实名提出异议" in visitor.inner_text("main")
        assert visitor.evaluate("document.documentElement.scrollWidth") <= 390
        shot(visitor, "award-phone-public-notice")
        visitor.goto(f"/awards/notices/{ids['upward']}")
        assert "拟推荐名单的公示" in visitor.inner_text("main")
        shot(visitor, "award-phone-public-notice-upward")
    finally:
        context.close()
        visitor_context.close()
