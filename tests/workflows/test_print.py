"""品字标 print forms (申报表, 镇街推荐意见表, 市局审核意见表): what each sheet says for an application pushed through the
engine, who may print which (404 otherwise, as for a missing id), the stamped scan going back onto the current stage,
and the three sheets in Chromium on screen and as printed (screenshots under test-artifacts/screenshots/)."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import select

from registry import clock
from registry.extensions import db
from tests.conftest import Auth, csrf_token_from
from tests.factories import CertificationFactory, HonourFactory, StandardDrafterFactory, StandardFactory
from tests.workflows.conftest import own_standard
from workflows.models import Application, Attachment
from workflows.services import applications

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORMS = ("application", "recommendation", "review")
A4_PRINTABLE_PX = 674  # 210 mm less the 2 x 16 mm page margins, at 96 px per inch


class Person:
    """One signed-in test client."""

    def __init__(self, app, user):
        self.client = app.test_client()
        assert Auth(self.client).login(user).status_code == 302

    def get(self, path):
        return self.client.get(path)

    def text(self, path) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)

    def upload(self, application_id, slot, name, content=PDF):
        page = f"/applications/{application_id}"
        token = csrf_token_from(self.client.get(page).get_data(as_text=True))
        return self.client.post(f"{page}/attachments", data={"csrf_token": token, "slot": slot,
                                                              "file": (io.BytesIO(content), name)},
                                content_type="multipart/form-data")


def _act(user, application_id, action, reason=None, **payload):
    version = db.session.get(Application, application_id).version
    applications.act(user, application_id, action, reason=reason, version=version, payload=payload)
    db.session.expire_all()


def _prepare_firm(cast):
    """Master data and registry records of the cast's enterprise: relevant ones and ones the sheet must leave out."""
    firm = cast.enterprise
    firm.name, firm.legal_representative = "浙江临海精工齿轮有限公司", "周建华"
    firm.contact_name, firm.contact_phone = "陈丽", "0576-85123456"
    firm.contact_email, firm.address = "chenli@jinggong.cn", "浙江省临海市古城街道工业园区88号"
    today = clock.today()
    CertificationFactory(enterprise=firm, cert_type="iso9001", number="00122Q31234R1M", issuer="中国质量认证中心",
                         scope="齿轮的设计和生产", issued_on=today - dt.timedelta(days=400),
                         expires_on=today + dt.timedelta(days=600))
    CertificationFactory(enterprise=firm, cert_type="iso14001", number="EXPIRED-14001",
                         issued_on=today - dt.timedelta(days=1500), expires_on=today - dt.timedelta(days=400))
    CertificationFactory(enterprise=firm, cert_type="other", number="OTHER-CERT-1",
                         issued_on=today - dt.timedelta(days=10), expires_on=today + dt.timedelta(days=300))
    HonourFactory(enterprise=firm, honour_type="zhejiang_boutique", level="provincial", year=2023,
                  issuer="浙江省经济和信息化厅", title="精密汽车齿轮")
    HonourFactory(enterprise=firm, honour_type="qianjiang_cup", year=2022, title="不相关的工程")
    HonourFactory(enterprise=firm, honour_type="single_champion", level="national", year=2020,
                  revoked_on=today - dt.timedelta(days=5), title="已撤销的荣誉")
    StandardDrafterFactory(enterprise=firm, role="lead",
                           standard=StandardFactory(number="T/ZZB 2345-2021", title="汽车变速器用精密齿轮"))
    db.session.commit()
    return firm


def _pushed(cast, draft):
    """A 品字标 application through apply → return → resubmit → recommend → accept → standard drafting."""
    application = draft(product="新能源汽车减速器齿轮", standard_proposal="新能源汽车减速器齿轮",
                        self_assessment="企业质量管理体系健全，\n产品关键指标优于行业标准。")
    _act(cast.applicant, application.id, "submit")
    _act(cast.town, application.id, "return", reason="请补充近三年检测报告")
    _act(cast.applicant, application.id, "resubmit")
    _act(cast.town, application.id, "recommend", reason="产品市场占有率高，同意推荐")
    _act(cast.bureau, application.id, "accept", reason="符合培育条件，同意入库")
    standard = own_standard(cast.enterprise, number="T/ZZB 3001-2024", title="新能源汽车减速器齿轮",
                            status="drafting", published_on=None)
    _act(cast.bureau, application.id, "link_standard", standard_id=str(standard.id))
    return db.session.get(Application, application.id)


def test_each_sheet_shows_the_registry_and_the_history(app, cast, draft):
    firm = _prepare_firm(cast)
    application = _pushed(cast, draft)
    Person(app, cast.applicant).upload(application.id, "evidence", "检测报告.pdf")
    base = f"/applications/{application.id}/print"

    form = Person(app, cast.applicant).text(f"{base}/application")
    for expected in ("“品字标浙江制造”培育", "申 报 表", f"PZB-{application.id:06d}", firm.name, firm.uscc, "周建华",
                     "陈丽", "0576-85123456", "chenli@jinggong.cn", "浙江省临海市古城街道工业园区88号",
                     firm.jurisdiction.name, firm.industry.name, "新能源汽车减速器齿轮", "T/ZZB 3001-2024", "起草",
                     "企业质量管理体系健全，\n产品关键指标优于行业标准。",
                     "ISO 9001", "00122Q31234R1M", "中国质量认证中心", "齿轮的设计和生产",
                     "“浙江制造精品”", "精密汽车齿轮", "浙江省经济和信息化厅",
                     "T/ZZB 2345-2021", "汽车变速器用精密齿轮", "主导",
                     "证明材料：检测报告.pdf", "本单位承诺", "本申请已于", "法定代表人（签字）", "申报单位（盖章）",
                     "年　　月　　日", "workflows-print.js", "data-print"):
        assert expected in form, expected
    for absent in ("EXPIRED-14001", "OTHER-CERT-1", "不相关的工程", "已撤销的荣誉", "<script>"):
        assert absent not in form.replace('<script src="/static/js/workflows-print.js" defer></script>', ""), absent

    town = Person(app, cast.town).text(f"{base}/recommendation")
    opinion = town.split("推荐意见</h2>", 1)[1]
    assert re.search(r'<p class="verdict">同意推荐。</p>\s*<p>产品市场占有率高，同意推荐</p>', opinion)
    online = re.search(r"class=\"online\">(\S+) 于 (\d{4}-\d\d-\d\d \d\d:\d\d) 在线办理：推荐。", opinion)
    assert online and online.group(1) == cast.town.display_name
    for expected in ("镇街推荐意见表", firm.name, firm.uscc, firm.jurisdiction.name, "新能源汽车减速器齿轮",
                     "退回补正", "请补充近三年检测报告", "推荐", "产品市场占有率高，同意推荐",
                     f"{firm.jurisdiction.name}（盖章）", "负责人（签字）"):
        assert expected in town, expected
    assert "符合培育条件" not in town  # the bureau's opinion is not the town's sheet

    review = Person(app, cast.bureau).text(f"{base}/review")
    for expected in ("市局审核意见表", firm.name, "产品市场占有率高，同意推荐", "入库审核", "同意入库",
                     "符合培育条件，同意入库", "标准研制", "关联标准", cast.bureau.display_name,
                     "同意列入“品字标浙江制造”培育库。", "临海市市场监督管理局（盖章）", "审核人（签字）"):
        assert expected in review, expected
    bureau_rows = review.split("审核记录", 1)[1]
    assert "请补充近三年检测报告" not in bureau_rows  # the town's return is not a bureau decision
    assert bureau_rows.count("<tr><td class=\"nowrap\">") == 2  # accept, link_standard


def test_who_may_print_which_sheet(app, cast, draft):
    application = draft()
    _act(cast.applicant, application.id, "submit")
    base = f"/applications/{application.id}/print"
    may = {
        "applicant": {"application"}, "town": {"application", "recommendation"},
        "bureau": set(FORMS), "admin": set(FORMS),
        "other_applicant": set(), "other_town": set(), "expert": set(),
    }
    for who, allowed in may.items():
        person = Person(app, getattr(cast, who))
        for form in FORMS:
            status = person.get(f"{base}/{form}").status_code
            assert status == (200 if form in allowed else 404), (who, form, status)
        assert person.get(f"{base}/letter").status_code == 404
        assert person.get(f"/applications/{application.id + 999}/print/application").status_code == 404
        page = person.get(f"/applications/{application.id}")
        if page.status_code == 404:
            assert not allowed
            continue
        links = set(re.findall(rf'href="{base}/(\w+)"', page.get_data(as_text=True)))
        assert links == allowed, (who, links)


def test_an_award_application_has_its_own_print_pages(app, cast):
    award = Application(workflow="quality_award", definition_version=1, enterprise_id=cast.enterprise.id,
                        title="政府质量奖申报", stage="apply", status="draft", version=1, data={})
    db.session.add(award)
    db.session.commit()
    assert Person(app, cast.bureau).get(f"/applications/{award.id}/print/application").status_code == 404


def test_stamped_scans_land_on_the_current_stage(app, cast, draft):
    application = draft()
    applicant, town, bureau = Person(app, cast.applicant), Person(app, cast.town), Person(app, cast.bureau)
    page = applicant.text(f"/applications/{application.id}")
    assert 'name="slot" value="stamped_form"' in page and "上传盖章扫描件" in page

    assert applicant.upload(application.id, "stamped_form", "申报表盖章.pdf").status_code == 302
    _act(cast.applicant, application.id, "submit")
    assert town.upload(application.id, "stamped_form", "推荐意见表盖章.pdf").status_code == 302
    _act(cast.town, application.id, "recommend")
    assert bureau.upload(application.id, "stamped_form", "审核意见表盖章.pdf").status_code == 302
    assert Person(app, cast.other_town).upload(application.id, "stamped_form", "x.pdf").status_code == 404
    html = Person(app, cast.other_applicant).upload(application.id, "stamped_form", "<html></html>", b"<html>")
    assert html.status_code == 404

    rows = db.session.scalars(select(Attachment).where(Attachment.slot == "stamped_form")
                              .order_by(Attachment.version)).all()
    assert [(r.version, r.original_name, r.stage, r.uploaded_by_id) for r in rows] == [
        (1, "申报表盖章.pdf", "apply", cast.applicant.id),
        (2, "推荐意见表盖章.pdf", "town_recommendation", cast.town.id),
        (3, "审核意见表盖章.pdf", "pool_review", cast.bureau.id)]
    shown = bureau.text(f"/applications/{application.id}")
    files = shown.split("流转记录", 1)[0]
    assert re.search(r"推荐意见表盖章\.pdf</a></td>\s*<td data-label=\"阶段\">镇街推荐</td>", files)
    # the scans are not listed on the 申报表 as its attachments
    assert "盖章" not in bureau.text(f"/applications/{application.id}/print/application").split("五、附件清单")[1] \
        .split("六、")[0]


def test_print_button_runs_a_local_script_under_the_csp(app, cast, draft):
    application = draft()
    person = Person(app, cast.applicant)
    response = person.get(f"/applications/{application.id}/print/application")
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/workflows-print.js" defer>']
    assert "onclick" not in html
    script = person.get("/static/js/workflows-print.js")
    assert script.status_code == 200 and b"window.print()" in script.data
    assert person.get("/static/css/workflows-print.css").status_code == 200


def test_the_town_comments_while_recommending(app, cast, draft):
    """The application page offers the town an optional opinion with 推荐; it lands on the 推荐意见表."""
    application = draft()
    _act(cast.applicant, application.id, "submit")
    town = Person(app, cast.town)
    assert "在线办理" not in town.text(f"/applications/{application.id}/print/recommendation")  # blank to fill in
    _act(cast.town, application.id, "return", reason="请补充检测报告")
    sheet = town.text(f"/applications/{application.id}/print/recommendation")
    assert re.search(r'<p class="verdict">退回补正。</p>\s*<p>请补充检测报告</p>', sheet)
    _act(cast.applicant, application.id, "resubmit")
    page = town.text(f"/applications/{application.id}")
    assert 'id="r_recommend"' in page
    assert 'id="r_recommend"' not in Person(app, cast.applicant).text(f"/applications/{application.id}")
    token = csrf_token_from(page)
    version = db.session.get(Application, application.id).version
    response = town.client.post(f"/applications/{application.id}/act", data={
        "csrf_token": token, "action": "recommend", "version": version, "reason": "技术实力强，推荐入库"})
    assert response.status_code == 302
    sheet = town.text(f"/applications/{application.id}/print/recommendation")
    assert re.search(r'<p class="verdict">同意推荐。</p>\s*<p>技术实力强，推荐入库</p>', sheet)
    assert "请补充检测报告" in sheet.split("推荐意见</h2>")[0]  # the return stays in the town's record above


@pytest.mark.parametrize("width", [1366])
def test_sheets_in_chromium(app, cast, draft, browser, live_server, shot, width):
    """The three sheets on screen and in print media (A4): screenshots and a PDF page count."""
    from tests.browser.fixtures import sign_in

    _prepare_firm(cast)
    application = _pushed(cast, draft)
    Person(app, cast.applicant).upload(application.id, "evidence", "检测报告.pdf")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", base_url=live_server)
    try:
        pg = context.new_page()
        pg.set_default_timeout(15000)
        sign_in(pg, cast.bureau.email)
        pg.goto(f"/applications/{application.id}")
        assert pg.locator("a", has_text="打印市局审核意见表").count() == 1
        shot(pg, "pinzibiao-print-00-application-page")
        printed = []
        for n, form in enumerate(FORMS, 1):
            pg.goto(f"/applications/{application.id}/print/{form}")
            pg.evaluate("() => { window.print = () => { window.__printed = (window.__printed || 0) + 1; }; }")
            pg.click("button[data-print]")
            printed.append(pg.evaluate("window.__printed"))
            pg.emulate_media(media="screen")
            shot(pg, f"pinzibiao-print-{n}-{form}-screen")
            pg.emulate_media(media="print")
            pg.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 900})
            assert not pg.locator(".toolbar").is_visible()
            path = shot(pg, f"pinzibiao-print-{n}-{form}-print")
            pdf = pg.pdf(format="A4", prefer_css_page_size=True)
            path.with_suffix(".pdf").write_bytes(pdf)
            pg.set_viewport_size({"width": width, "height": 900})
            pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
            assert 1 <= pages <= (2 if form == "application" else 1), (form, pages)
            pg.emulate_media(media="screen")
        assert printed == [1, 1, 1]
    finally:
        context.close()
