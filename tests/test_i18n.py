"""Languages: Chinese by default, English after the header switch (kept in the session), and a complete catalogue."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from tests.conftest import csrf_token_from
from tests.factories import CertificationFactory, EnterpriseFactory

CATALOGUE = Path(__file__).resolve().parents[1] / "registry" / "translations" / "en" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def switch(client, code: str, page: str = "/login"):
    """Press the header's language button on ``page``; returns the redirect response."""
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(f"/lang/{code}", data={"csrf_token": token, "next": page})


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_pages_are_chinese_by_default(client, auth, make_user):
    page = html(client, "/login")
    assert '<html lang="zh-CN">' in page and "登录" in page and ">English</button>" in page
    EnterpriseFactory()
    auth.login(make_user("bureau"))
    page = html(client, "/enterprises")
    assert "企业名录" in page and "统一社会信用代码" in page and "Enterprise registry" not in page


def test_english_after_the_switch_on_every_main_page(client, auth, make_user, app):
    from registry.targets.seed import seed_indicators
    from workflows.services import applications

    enterprise = EnterpriseFactory()
    CertificationFactory(enterprise=enterprise)
    applicant = make_user("enterprise", enterprise=enterprise)
    application = applications.start(applicant, "pinzibiao", None, {
        "product": "高精度汽车齿轮", "standard_proposal": "汽车变速器齿轮", "self_assessment": "自评 85 分"})
    seed_indicators()

    answer = switch(client, "en")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    login = html(client, "/login")
    assert '<html lang="en">' in login and "Sign in" in login and "Password" in login and ">中文</button>" in login

    auth.login(make_user("bureau"))  # the choice survives sign-in (the session is rotated)
    home = html(client, "/")
    for label in ("Enterprise registry", "Data import", "Quality targets", "Government Quality Award", "Sign out"):
        assert label in home, label
    listing = html(client, "/enterprises")
    for header in ("Enterprise name", "Unified social credit code", "Town", "Industry", "Above size", "Updated"):
        assert header in listing, header
    for cell in ("Enterprise name", "Credit code", "Town", "Industry"):
        assert f'data-label="{cell}"' in listing, cell
    assert "企业名录" not in listing
    page = html(client, f"/enterprises/{enterprise.id}")
    assert "Certificate <" in page and "Certificate number" in page and "Valid until" in page and "+ Add Certificate" in page
    dashboard = html(client, "/targets/")
    assert "Key indicators of the 14th Five-Year Quality Development Plan" in dashboard and "2025 target" in dashboard
    assert html(client, "/enterprises?page=2").count('lang="en"') == 1  # still English on later requests

    auth.logout()  # sign-out keeps the language too
    auth.login(applicant)
    page = html(client, f"/applications/{application.id}")
    for text in ("Pinzibiao (Made in Zhejiang) cultivation and certification", "Current stage", "Submit application",
                 "Withdraw application", "Town recommendation"):
        assert text in page, text


def test_switching_back_to_chinese(client, auth, make_user):
    auth.login(make_user("bureau"))
    switch(client, "en", "/enterprises")
    assert "Enterprise registry" in html(client, "/enterprises")
    answer = switch(client, "zh_Hans_CN", "/enterprises")
    assert answer.headers["Location"].endswith("/enterprises")
    page = html(client, "/enterprises")
    assert '<html lang="zh-CN">' in page and "企业名录" in page and "Enterprise registry" not in page


def test_unknown_language_is_ignored(client):
    switch(client, "fr")
    assert '<html lang="zh-CN">' in html(client, "/login")


def test_workbooks_stay_chinese_for_an_english_user(client, auth, make_user):
    """Excel headers, sheet names and choice labels are the Chinese source, so an export imports again."""
    CertificationFactory(cert_type="pinzibiao")
    auth.login(make_user("bureau"))
    switch(client, "en", "/enterprises")
    template = load_workbook(io.BytesIO(client.get("/imports/templates/certifications.xlsx").data))
    assert [c.value for c in next(template.worksheets[0].iter_rows(max_row=1))][:3] == ["统一社会信用代码", "企业名称",
                                                                                      "认证类型"]
    export = load_workbook(io.BytesIO(client.get("/enterprises/export/certifications.xlsx").data), read_only=True)
    rows = list(export.worksheets[0].iter_rows(values_only=True))
    assert export.sheetnames == ["认证证书"] and rows[0][2] == "认证类型" and rows[1][2] == "品字标浙江制造"


def test_error_pages_follow_the_language(client, auth, make_user):
    auth.login(make_user("bureau"))
    assert "未找到" in client.get("/enterprises/999999").get_data(as_text=True)
    switch(client, "en", "/enterprises")
    assert "Not found" in client.get("/enterprises/999999").get_data(as_text=True)


# --- the catalogue ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def catalogue():
    with open(CATALOGUE / "messages.po", "rb") as fh:
        return [m for m in read_po(fh) if m.id]


def test_every_msgid_is_translated(catalogue):
    missing = [m.id for m in catalogue if not (m.string or "").strip() or "fuzzy" in m.flags]
    assert not missing, "untranslated msgids:\n" + "\n".join(missing)


def test_placeholders_match(catalogue):
    wrong = [(m.id, m.string) for m in catalogue
             if sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string or ""))]
    assert not wrong, "placeholders differ:\n" + "\n".join(f"{a} -> {b}" for a, b in wrong)


def test_english_is_not_left_in_chinese(catalogue):
    chinese = re.compile(r"[\u4e00-\u9fff]")
    # Names that stay Chinese inside an English sentence: a sheet name, an example town, and the expert workbook's
    # column headers and values, which the importers expect in Chinese whatever the page's language.
    allowed = ("数据", "统一社会信用代码", "杜桥镇", "姓名", "职称", "工作单位", "专业领域", "可任组长", "是", "否",
               "关联关系", "现任职单位", "曾任职单位", "咨询服务关系", "担任法定代表人", "本人申报回避", "集团")
    leftover = [m.id for m in catalogue if chinese.search(re.sub("|".join(allowed), "", m.string))]
    assert not leftover, "msgstr still Chinese:\n" + "\n".join(leftover)


def test_compiled_catalogue_matches_the_po(catalogue):
    """The committed .mo is what the app reads: it must hold every translation of the .po."""
    with open(CATALOGUE / "messages.mo", "rb") as fh:
        compiled = {(m.context, m.id): m.string for m in read_mo(fh) if m.id}
    stale = [m.id for m in catalogue if compiled.get((m.context, m.id)) != m.string]
    assert not stale, "run `pybabel compile -d registry/translations`; stale entries:\n" + "\n".join(stale[:20])


def test_the_pager_s_first_page_is_not_the_home_page_in_english(app):
    """'首页' is both the home page (navigation) and a pager's first page; English tells them apart."""
    from flask import render_template_string
    from flask_babel import force_locale

    def href(n):
        return f"/p/{n}"

    source = ("{% from '_macros.html' import pagination %}"
              "{{ pagination(5, 9, 'home.index', {}, ends=True, href=href) }}|{{ _('首页') }}")
    with app.test_request_context("/"):
        with force_locale("en"):
            pager, nav = render_template_string(source, href=href).rsplit("|", 1)
        assert "First" in pager and "Home" not in pager and "Last" in pager
        assert nav == "Home"
        pager_zh = render_template_string(source, href=href).rsplit("|", 1)[0]
        assert "首页" in pager_zh and "末页" in pager_zh
