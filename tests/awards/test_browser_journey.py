"""The government quality award (政府质量奖) in Chromium, from opening a round to the honour on the winner's page.

The same story as test_journey.py, but every human step is a click in a real browser against the live server: the
bureau opens the round (with stage deadlines), the enterprise fills in its self-assessment, uploads its report and
submits, the town recommends, the bureau checks the registry and rules it eligible, draws the panel, five experts
declare no conflict and score the document and site reviews, the bureau records the committee's decision and
publishes the list, a visitor reads the public notice, the notice closes (the beat job's use case) and the honour
shows on the winner's enterprise page. Each step is asserted on what the page says and kept as a screenshot under
test-artifacts/screenshots/award-journey-*.png.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update as sa_update

from registry import clock
from registry.awards import flow
from registry.awards.gbt19580 import MAX_POINTS
from registry.awards.models import AwardRound, Expert
from registry.extensions import db
from registry.models import Honour
from tests.browser.fixtures import confirm_if_asked, sign_in
from tests.factories import CertificationFactory, EnterpriseFactory, UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FIRM = "浙江临海精工机械有限公司"
ROUND = "第五届临海市政府质量奖"
EXPERTS = ["陈建国", "王立新", "李卫东", "张海燕", "刘志强", "杨秀英", "赵明辉", "黄伟"]


class People:
    """One browser context (own cookies) per person, all closed at the end."""

    def __init__(self, browser, base_url):
        self.browser, self.base_url, self.contexts = browser, base_url, []

    def open(self, email: str | None = None):
        context = self.browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN",
                                           base_url=self.base_url)
        self.contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(15000)
        if email:
            sign_in(pg, email)
            assert "退出" in pg.inner_text("header"), f"{email} did not sign in"
        return pg

    def open_phone(self, email: str):
        """A 390 px phone, signed in."""
        context = self.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                           has_touch=True, base_url=self.base_url)
        self.contexts.append(context)
        pg = context.new_page()
        pg.set_default_timeout(15000)
        sign_in(pg, email)
        return pg

    def close(self):
        for context in self.contexts:
            context.close()


def main_text(pg) -> str:
    return pg.inner_text("main")


def flashes(pg) -> str:
    return " ".join(pg.locator("main .flash").all_inner_texts())


def click_and_wait(pg, locator) -> None:
    with pg.expect_navigation():
        locator.click()
        confirm_if_asked(pg)  # irreversible steps ask first (issue 12 item 6)


def fill_scores(pg, prefix: str, share: float) -> None:
    for code, points in MAX_POINTS.items():
        pg.fill(f"#{prefix}{code}", f"{points * share:.1f}")


def current_stage(pg) -> str:
    return pg.inner_text(".page-head strong")


def test_award_journey_in_the_browser(browser, live_server, shot):
    today = clock.today()
    UserFactory(role="bureau", email="likezhang@linhai.example.cn", display_name="市局李科长")
    firm = EnterpriseFactory(name=FIRM, group_name="精工集团", legal_representative="周某")
    CertificationFactory(enterprise=firm, cert_type="iso9001", issued_on=today - dt.timedelta(days=300),
                         expires_on=today + dt.timedelta(days=700))
    UserFactory(role="enterprise", email="jinggong@linhai.example.cn", display_name="精工机械申报员", enterprise=firm)
    UserFactory(role="town", email="town@linhai.example.cn", display_name="镇街质量办", jurisdiction=firm.jurisdiction)
    expert_email = {}
    for i, name in enumerate(EXPERTS):
        user = UserFactory(role="expert", email=f"expert{i}@linhai.example.cn", display_name=name)
        db.session.add(Expert(user_id=user.id, name=name, can_lead=i < 3, specialties=["机械"],
                              employer=f"台州{['学院', '质检院', '标准院', '协会'][i % 4]}"))
        expert_email[name] = user.email
    firm_id, town_name = firm.id, firm.jurisdiction.name
    db.session.commit()  # the live server's threads see everything; the test holds no transaction open

    people = People(browser, live_server)
    try:
        # 1. The bureau opens the round through the form, with two stage deadlines.
        bureau = people.open("likezhang@linhai.example.cn")
        bureau.goto("/awards")
        click_and_wait(bureau, bureau.get_by_role("link", name="开启新一届评选"))
        assert "各环节截止日期" in main_text(bureau)
        bureau.fill("#name", ROUND)
        bureau.select_option("#level", "linhai")
        bureau.fill("#year", str(today.year))
        bureau.fill("#call_opens_on", (today - dt.timedelta(days=3)).isoformat())
        bureau.fill("#call_closes_on", (today + dt.timedelta(days=30)).isoformat())
        bureau.fill("#quota_award", "2")
        bureau.fill("#quota_nomination", "1")
        bureau.fill("#notice_days", "7")
        recommend_by, eligibility_by = today + dt.timedelta(days=40), today + dt.timedelta(days=50)
        bureau.fill("#deadline_recommend", recommend_by.isoformat())
        bureau.fill("#deadline_eligibility", eligibility_by.isoformat())
        shot(bureau, "award-journey-01-round-form")
        click_and_wait(bureau, bureau.locator("main form button[type=submit]"))
        round_url = bureau.url.removeprefix(live_server)
        round_id = int(re.fullmatch(r"/awards/rounds/(\d+)", round_url).group(1))
        assert "已开启评选批次。" in flashes(bureau)
        text = main_text(bureau)
        assert ROUND in bureau.inner_text("h1") and "申报与评审" in text and "政府质量奖 2" in text
        deadlines = bureau.inner_text("#deadlines + .table-wrap")
        assert recommend_by.isoformat() in deadlines and eligibility_by.isoformat() in deadlines
        assert "尚无企业申报。" in text
        shot(bureau, "award-journey-02-round-opened")

        # 2. The enterprise starts its application, uploads its report, fills in the self-assessment and submits.
        firm_page = people.open("jinggong@linhai.example.cn")
        firm_page.goto("/awards")
        tile = firm_page.locator(".tile", has_text=ROUND)
        assert "我要申报" in tile.inner_text()
        shot(firm_page, "award-journey-03-enterprise-open-calls")
        click_and_wait(firm_page, tile.get_by_role("button", name="我要申报"))
        application_id = int(re.search(r"/awards/applications/(\d+)/edit", firm_page.url).group(1))
        application_url = f"/awards/applications/{application_id}"
        assert "政府质量奖申报" in firm_page.inner_text("h1") and "尚未上传。" in main_text(firm_page)
        upload = firm_page.locator("form[enctype='multipart/form-data']")
        upload.locator("select[name=slot]").select_option("report")
        upload.locator("input[type=file]").set_input_files(
            {"name": "自评报告.pdf", "mimeType": "application/pdf", "buffer": PDF})
        click_and_wait(firm_page, upload.get_by_role("button", name="上传"))
        assert "已上传：自评报告.pdf（第 1 版）。" in flashes(firm_page)
        assert "自评报告.pdf" in firm_page.inner_text("main .card:has(form[enctype='multipart/form-data'])")
        fill_scores(firm_page, "self_", 0.85)
        firm_page.fill("#excellence_since", str(today.year - 5))
        firm_page.check("#declaration")
        shot(firm_page, "award-journey-04-self-assessment")
        click_and_wait(firm_page, firm_page.get_by_role("button", name="保存并提交申报"))
        assert firm_page.url.endswith(application_url)
        assert "已办理。" in flashes(firm_page)
        assert current_stage(firm_page) == "推荐" and "办理中" in firm_page.inner_text(".page-head")
        assert "自评报告.pdf" in main_text(firm_page)
        shot(firm_page, "award-journey-05-submitted")

        # 3. The town sees it in its jurisdiction and recommends it.
        town = people.open("town@linhai.example.cn")
        town.goto("/awards")
        row = town.locator("tr", has_text=FIRM)
        assert ROUND in row.inner_text()
        click_and_wait(town, row.get_by_role("link", name="查看与推荐"))
        assert current_stage(town) == "推荐" and "市局尚未从登记库核查。" in town.inner_text("#eligibility")
        shot(town, "award-journey-06-town-recommend")
        click_and_wait(town, town.locator(".aw-actions").get_by_role("button", name="推荐", exact=True))
        assert "已办理。" in flashes(town) and current_stage(town) == "资格审查"

        # 4. The bureau checks the registry and rules the enterprise eligible.
        bureau.goto(application_url)
        assert current_stage(bureau) == "资格审查"
        click_and_wait(bureau, bureau.get_by_role("button", name="从登记库核查"))
        assert "已从登记库完成资格自动核查。" in flashes(bureau)
        eligibility = bureau.inner_text("#eligibility")
        assert "ISO 9001" in eligibility and "通过" in eligibility and "认证证书 #" in eligibility
        assert f"申报书填报：{today.year - 5} 年导入卓越绩效管理模式" in eligibility
        # No 亩均效益 grade in the registry yet: the bureau corrects that one rule, with its reason.
        grade_row = bureau.locator("tr.aw-rule[data-rule=benefit_grade]")
        assert "不通过" in grade_row.inner_text() and "以来未登记" in grade_row.inner_text()
        grade_row.locator("summary").click()
        grade_row.locator("textarea[name=reason]").fill("经信局已公布上年度评价为 A 类，登记库待导入")
        click_and_wait(bureau, grade_row.get_by_role("button", name="更正为通过"))
        assert "已更正该项核查结果" in flashes(bureau)
        grade_row = bureau.locator("tr.aw-rule[data-rule=benefit_grade]")
        assert "经信局已公布上年度评价为 A 类" in grade_row.inner_text()
        assert "核查结论（含市局更正）：符合" in bureau.inner_text("#eligibility")
        bureau.select_option("#decision", "eligible")
        shot(bureau, "award-journey-07-eligibility-check")
        click_and_wait(bureau, bureau.get_by_role("button", name="确认审查结论"))
        assert current_stage(bureau) == "材料评审"
        assert "符合申报条件" in bureau.inner_text("#eligibility")
        confirmed = bureau.inner_text("#eligibility-confirmed")
        assert "确认了 7 项条件" in confirmed and "ISO 9001" in confirmed
        assert "资格审查结论：符合申报条件。已核查 7 项条件" in flashes(bureau)
        shot(bureau, "award-journey-07b-eligibility-confirmed")

        # 5. The bureau draws the panel on the round page (5 seats, 2 substitutes).
        bureau.goto(round_url)
        entry_row = bureau.locator("tbody tr", has_text=FIRM)
        assert "符合" in entry_row.inner_text() and "未抽取" in entry_row.inner_text()
        entry_row.locator("input[name=entry_ids]").check()
        bureau.fill("#size", "5")
        bureau.fill("#substitutes", "2")
        click_and_wait(bureau, bureau.locator(".aw-draw").get_by_role("button", name="抽取专家组"))
        assert "已为 1 个申报随机抽取专家组" in flashes(bureau)
        assert "已抽取" in bureau.locator("tbody tr", has_text=FIRM).inner_text()
        shot(bureau, "award-journey-08-panel-drawn")
        bureau.goto(application_url + "#panel")
        panel_rows = bureau.locator("#panel tbody tr")
        seated = []
        for i in range(panel_rows.count()):
            cells = panel_rows.nth(i).locator("td").all_inner_texts()
            if cells[2].strip() in ("组长", "成员"):
                seated.append(next(n for n in EXPERTS if cells[1].startswith(n)))
                assert "待声明" in cells[3]
        assert len(seated) == 5 and panel_rows.count() == 7
        shot(bureau, "award-journey-09-panel-seats")

        # 6. Each seated expert signs in, declares no conflict, and scores the document review.
        experts = []
        for i, name in enumerate(seated):
            ex = people.open(expert_email[name])
            experts.append(ex)
            if i == 0:  # the material is sealed until the declaration
                assert ex.goto(application_url).status == 404
            ex.goto("/awards/expert")
            assert "材料评审" in ex.locator("tbody tr", has_text=FIRM).inner_text()
            if i == 0:
                shot(ex, "award-journey-10-expert-tasks")
            click_and_wait(ex, ex.get_by_role("link", name="声明利益冲突"))
            assert "利益冲突声明" in ex.inner_text("h1") and "精工集团" in main_text(ex)
            ex.select_option("#conflict", "no")
            if i == 0:
                shot(ex, "award-journey-11-expert-declare")
            click_and_wait(ex, ex.get_by_role("button", name="提交声明"))
            assert "已声明无利益冲突" in flashes(ex)
            assert "自评报告.pdf" in main_text(ex) and "材料评审评分" in main_text(ex)
            fill_scores(ex, "score_", 0.80 + i * 0.01)
            if i == 0:
                shot(ex, "award-journey-12-expert-document-sheet")
            click_and_wait(ex, ex.get_by_role("button", name="提交评分"))
            assert "评分已提交。" in flashes(ex)
            if i == len(seated) - 1:
                shot(ex, "award-journey-13-expert-document-done")

        # 7. The document review is settled: the bureau confirms the shortlist (入围) on the round page, which
        # moves the application to site review (the round has no 陈述答辩); each expert scores it.
        bureau.goto(round_url + "#shortlist")
        shortlist = bureau.locator("form[action$='/shortlist']")
        assert FIRM in shortlist.inner_text() and shortlist.get_by_role("checkbox").is_checked()
        shot(bureau, "award-journey-13b-shortlist")
        click_and_wait(bureau, shortlist.get_by_role("button", name="确定入围名单"))
        assert "入围名单已确定" in flashes(bureau) and "入围" in bureau.locator("#shortlist + form").inner_text()
        for i, ex in enumerate(experts):
            ex.goto("/awards/expert")
            row = ex.locator("tbody tr", has_text=FIRM)
            assert "现场评审" in row.inner_text()
            click_and_wait(ex, row.get_by_role("link", name=re.compile("评分")))
            assert "现场评审评分" in main_text(ex)
            fill_scores(ex, "score_", 0.90 + i * 0.01)
            click_and_wait(ex, ex.get_by_role("button", name="提交评分"))
            assert "评分已提交。" in flashes(ex)
            if i < len(experts) - 1:
                assert "本人已提交" in main_text(ex) and "专家组评分（匿名）" in main_text(ex)
            if i == len(experts) - 2:
                shot(ex, "award-journey-14-expert-site-others")
        # The fifth sheet closed the site review: the application went on to deliberation.
        assert "当前环节：审议" in main_text(ex) and "专家评审已结束，评分已汇总，申报已进入审议环节。" in main_text(ex)
        shot(ex, "award-journey-15-expert-site-done")

        # The applicant sees its aggregate but not the panel.
        firm_page.goto(application_url)
        assert current_stage(firm_page) == "审议"
        firm_text = main_text(firm_page)
        assert "综合得分" in firm_text and not any(n in firm_text for n in EXPERTS)
        shot(firm_page, "award-journey-16-enterprise-scores")

        # 8. The call is still open: the round page says so and the committee and notice buttons wait for it.
        bureau.goto(round_url + "#committee")
        bureau.reload()  # the page was at #shortlist: a new fragment alone loads nothing
        left = bureau.inner_text("#round-left")
        assert "申报期至" in left and "申报截止后才能审议和公示" in left and "未完成" not in left
        assert bureau.get_by_role("button", name="保存审议结果").is_disabled()
        assert bureau.get_by_role("button", name="发布拟表彰名单公示").is_disabled()
        assert "上述事项完成后才能发布公示。" in bureau.inner_text("#publish-reason")
        shot(bureau, "award-journey-16b-round-waits")
        phone = people.open_phone("likezhang@linhai.example.cn")
        phone.goto(round_url + "#committee")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        shot(phone, "award-journey-16c-round-waits-phone")
        found = db.session.get(AwardRound, round_id)
        found.call_closes_on = today - dt.timedelta(days=1)  # time passes: the call closes
        db.session.commit()

        # 9. The bureau records the committee's decision within the quota and publishes the list.
        bureau.reload()  # (going to the same address with its #committee would not load the page again)
        assert bureau.locator("#round-left").count() == 0
        assert "请先保存审议结果，再发布公示。" in bureau.inner_text("#publish-reason")
        shot(bureau, "award-journey-16d-committee-form")
        committee = bureau.locator("form[action$='/committee']")
        assert FIRM in committee.inner_text()
        committee.locator("select").select_option("quality_award")
        committee.locator("#met_on").fill(today.isoformat())
        committee.locator("#members").fill("陈市长，临海市人民政府，主任委员\n" + "\n".join(
            f"委员{n}，临海市质量强市工作领导小组，委员" for n in "甲乙丙丁戊己"))
        committee.get_by_label("赞成").fill("6")
        committee.get_by_label("反对").fill("1")
        committee.get_by_label("弃权").fill("0")
        committee.locator("#resolution").fill("经表决，同意将该企业列入拟表彰名单。")
        click_and_wait(bureau, committee.get_by_role("button", name="保存审议结果"))
        assert "审议结果已保存。" in flashes(bureau)
        assert "审议" in bureau.inner_text(".page-head .badge")
        shot(bureau, "award-journey-17-committee")
        click_and_wait(bureau, bureau.get_by_role("button", name="发布拟表彰名单公示"))
        assert "拟表彰名单已公示。" in flashes(bureau)
        assert "公示中" in bureau.inner_text(".page-head .badge") and "暂无异议。" in main_text(bureau)
        shot(bureau, "award-journey-18-published")

        # 10. A visitor, not signed in, reads the public notice.
        visitor = people.open()
        visitor.goto(f"/awards/notices/{round_id}")
        notice = main_text(visitor)
        assert f"关于{ROUND}拟表彰名单的公示" in notice
        notice_row = visitor.locator("tbody tr", has_text=FIRM).inner_text()
        assert "政府质量奖" in notice_row and town_name in notice_row
        shot(visitor, "award-journey-19-public-notice")
        # ... and objects under their real name without an account (name, phone, the objection, a file).
        assert "无需注册账号" in notice and "退出" not in visitor.inner_text("header")
        visitor.fill("#name", "张先生")
        visitor.fill("#phone", "13805760000")
        visitor.select_option("#entry_id", label=f"{FIRM}（政府质量奖）")
        visitor.fill("#text", "该企业去年被消费者投诉产品质量问题，请核实。")
        visitor.set_input_files("#file", files=[{"name": "投诉回执.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        shot(visitor, "award-journey-19b-public-objection")
        click_and_wait(visitor, visitor.get_by_role("button", name="提交异议"))
        assert "异议已实名提交" in flashes(visitor)

        # The bureau investigates (调查核实) and answers; until then the round cannot go on.
        bureau.goto(round_url + "#objections")
        bureau.reload()
        objection = bureau.locator(".aw-objection", has_text="张先生")
        assert "待调查核实" in objection.inner_text() and "投诉回执.pdf" in objection.inner_text()
        objection.locator("#investigation").fill("向 12315 平台调取记录：该投诉已于当年调解结案，不属于重大有效投诉。")
        objection.locator("#reason").fill("经调查核实，异议所反映问题不影响表彰，异议不成立。已电话答复异议人。")
        click_and_wait(bureau, objection.get_by_role("button", name="提交核实结论和答复"))
        assert "异议已调查核实并答复。" in flashes(bureau)
        assert "异议不成立" in bureau.locator(".aw-objection", has_text="张先生").inner_text()
        shot(bureau, "award-journey-19c-objection-answered")

        # 11. The notice window closes: the beat job's use case, a minute after the window ends.
        ends_at = db.session.get(AwardRound, round_id).notice_ends_at
        db.session.commit()
        assert flow.close_notices(clock.parse_now(ends_at) + dt.timedelta(minutes=1)) == [round_id]
        db.session.commit()
        assert db.session.query(Honour).filter_by(enterprise_id=firm_id).count() == 0  # not before 审定

        # 11. The city government approves (审定): the bureau records its document's 文号 and date.
        visitor.reload()
        assert "公示期满，报请市政府审定" in main_text(visitor) and "实名提出异议" not in main_text(visitor)
        db.session.execute(sa_update(AwardRound).where(AwardRound.id == round_id).values(
            notice_ends_at=clock.now() - dt.timedelta(days=1)))  # the window really ended before today's decision
        db.session.commit()
        bureau.goto(round_url + "#approval")
        bureau.reload()
        assert "待政府审定" in bureau.inner_text(".page-head .badge")
        approval = bureau.locator("form[action$='/approve']")
        approval.locator("#number").fill("临政发〔2026〕12号")
        approval.locator("#decided_on").fill(today.isoformat())
        shot(bureau, "award-journey-20a-approval")
        click_and_wait(bureau, approval.get_by_role("button", name="登记政府审定结果"))
        assert "已登记政府审定结果" in flashes(bureau)
        db.session.commit()
        honour = db.session.query(Honour).filter_by(enterprise_id=firm_id).one()
        assert (honour.honour_type, honour.level, honour.source_application_id) == \
            ("quality_award", "linhai", application_id)
        db.session.commit()

        visitor.reload()
        assert "已经市政府审定" in main_text(visitor) and "临政发〔2026〕12号" in main_text(visitor)
        shot(visitor, "award-journey-20-notice-closed")
        bureau.goto(round_url)
        assert "已表彰" in bureau.inner_text(".page-head .badge")
        assert "已表彰" in bureau.locator("tbody tr", has_text=FIRM).first.inner_text()

        # 12. The honour on the winner's enterprise page.
        firm_page.goto(application_url)
        assert current_stage(firm_page) == "批准表彰" and "已获表彰：政府质量奖" in main_text(firm_page)
        firm_page.goto(f"/enterprises/{firm_id}")
        assert FIRM in firm_page.inner_text("h1")
        honour_row = firm_page.locator("#honours tbody tr", has_text=ROUND).inner_text()
        for shown in ("政府质量奖", "临海市级", str(today.year), "临海市人民政府"):
            assert shown in honour_row, honour_row
        shot(firm_page, "award-journey-21-enterprise-honour")
    finally:
        people.close()
