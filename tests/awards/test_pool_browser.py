"""The expert pool in a real browser (Playwright + Debian Chromium): the bureau opens the pool from the award page,
creates an expert (after a form error), records a tie to a registered enterprise (after a lookup error) and sees
it on the expert's page and in the list. Screenshots go to test-artifacts/screenshots/."""
from __future__ import annotations

from tests.browser.fixtures import sign_in
from tests.factories import EnterpriseFactory


def test_bureau_creates_an_expert_and_adds_a_tie(page, shot, make_user):  # noqa: F811
    firm = EnterpriseFactory(name="浙江临海精工机械有限公司", group_name="精工集团")
    bureau = make_user("bureau", display_name="市局李科长")
    sign_in(page, bureau.email)
    page.goto("/awards")
    page.click("text=评审专家库")
    page.wait_for_load_state("networkidle")
    page.click("text=新增专家")
    page.wait_for_load_state("networkidle")

    page.fill("textarea[name=specialties]", "卓越绩效、机械制造")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "请填写专家姓名" in page.locator(".field.has-error .error").first.inner_text()
    assert page.input_value("textarea[name=specialties]") == "卓越绩效、机械制造"  # the input is kept
    shot(page, "pool-01-form-error")

    page.fill("input[name=name]", "陈建国")
    page.fill("input[name=title]", "教授级高级工程师")
    page.fill("input[name=employer]", "台州学院")
    page.check("input[name=can_lead]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "已将 陈建国 加入专家库" in page.content()

    tie_form = page.locator("#ties form.aw-upload")
    tie_form.locator("select[name=kind]").select_option("former_employer")
    tie_form.locator("input[name=enterprise]").fill("不存在的企业")
    tie_form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "名录中没有统一社会信用代码或名称为“不存在的企业”的企业" in page.locator("#ties .error").first.inner_text()
    shot(page, "pool-02-tie-error")

    tie_form = page.locator("#ties form.aw-upload")
    tie_form.locator("select[name=kind]").select_option("former_employer")
    tie_form.locator("input[name=enterprise]").fill(firm.uscc)
    tie_form.locator("input[name=note]").fill("2019 年离职")
    tie_form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    row = page.locator("#ties table tbody tr").first
    assert "曾任职单位" in row.inner_text() and firm.name in row.inner_text() and "2019 年离职" in row.inner_text()
    history = page.locator("#history").inner_text()
    assert "关联关系" in history and "市局李科长" in history
    shot(page, "pool-03-expert-with-tie")

    page.click("text=‹ 专家库")
    page.wait_for_load_state("networkidle")
    listed = page.locator("table.list tbody tr").first.inner_text()
    assert "陈建国" in listed and "台州学院" in listed and "卓越绩效、机械制造" in listed
    shot(page, "pool-04-list")


def test_bureau_previews_an_excel_import(page, shot, make_user, tmp_path):  # noqa: F811
    from openpyxl import Workbook

    firm = EnterpriseFactory(name="浙江华海药业股份有限公司")
    wb = Workbook()
    wb.active.append(["姓名", "职称", "工作单位", "专业领域", "可任组长", "关联关系"])
    wb.active.append(["王芳", "教授", "浙江大学", "医药、卓越绩效", "是", f"曾任职单位：{firm.uscc}|2018 年离职"])
    wb.active.append(["", "研究员", "某研究院", "", "也许", "朋友：某公司"])
    path = tmp_path / "专家名单.xlsx"
    wb.save(path)
    sign_in(page, make_user("bureau").email)
    page.goto("/awards/pool")
    page.click("text=从 Excel 导入")
    page.wait_for_load_state("networkidle")
    page.set_input_files("input[name=file]", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "其中 1 行有问题" in page.locator("#preview").inner_text()
    assert page.locator("text=全部导入").count() == 0  # nothing can be committed while a row is wrong
    shot(page, "pool-05-import-preview")
