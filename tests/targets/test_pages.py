"""Targets pages: who sees them, the dashboard figures and links, the town assessment, admin and exports."""
from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from registry.extensions import db
from registry.targets.models import Indicator, ReportedValue
from tests.factories import jurisdiction
from tests.targets.factories import EnterpriseFactory, HonourFactory, StandardDrafterFactory, StandardFactory


def _bureau(make_user, auth):
    user = make_user("bureau")
    auth.login(user)
    return user


def test_only_bureau_and_admin_see_the_dashboard(app, client, make_user, indicators):
    from tests.conftest import Auth

    for role, status in [("enterprise", 403), ("expert", 403), ("town", 403), ("admin", 200), ("bureau", 200)]:
        own = app.test_client()
        Auth(own).login(make_user(role))
        for path in ("/targets/", "/targets/T2-01/records", "/targets/indicators", "/targets/export.xlsx"):
            assert own.get(path).status_code == status, (role, path)
    assert client.get("/targets/").status_code == 302  # signed out: to the login page


def test_dashboard_numbers_link_to_lists_of_the_same_length(client, auth, make_user, indicators):
    _bureau(make_user, auth)
    for year in (2021, 2022, 2022, 2024):
        HonourFactory(honour_type="qianjiang_cup", year=year, awarded_on=dt.date(year, 6, 1))
    HonourFactory(honour_type="qianjiang_cup", year=2023, awarded_on=dt.date(2023, 6, 1), revoked_on=dt.date(2024, 1, 1))
    html = client.get("/targets/?as_of=2024-12-31").get_data(as_text=True)
    assert "“钱江杯”优质工程奖（新增）" in html and "制造业产品质量合格率" in html and "规上工业新产品产值率（%）" in html
    link = re.search(r'href="(/targets/T2-05/records\?as_of=2024-12-31)">(\d+)</a>', html)
    assert link and link.group(2) == "4"
    listing = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "共 4 项" in listing
    year_link = re.search(r'href="(/targets/T2-05/records\?year=2022&amp;as_of=2024-12-31|/targets/T2-05/records\?as_of=2024-12-31&amp;year=2022)">(\d+)</a>', html)
    assert year_link and year_link.group(2) == "2"
    # Before the revocation the 2023 honour still counted.
    assert "共 4 项" in client.get("/targets/T2-05/records?as_of=2023-12-31").get_data(as_text=True)
    assert "共 3 项" in client.get("/targets/T2-05/records?as_of=2024-01-01").get_data(as_text=True)


def test_bad_filters_are_form_errors_not_500(client, auth, make_user, indicators):
    _bureau(make_user, auth)
    page = client.get("/targets/?as_of=2024-13-45&jurisdiction=nope&industry=x")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "日期格式应为 YYYY-MM-DD" in html and "未知的镇街代码" in html
    assert client.get("/targets/T2-02/records").status_code == 404  # reported: no registry list
    assert client.get("/targets/NOPE/records").status_code == 404


def test_town_assessment_ranks_and_scopes(client, auth, make_user, indicators):
    gucheng, duqiao = jurisdiction("331082001"), jurisdiction("331082112")
    a, b = EnterpriseFactory(jurisdiction=gucheng), EnterpriseFactory(jurisdiction=duqiao)
    standard = StandardFactory(level="group_zzb", published_on=dt.date(2023, 3, 1))
    StandardDrafterFactory(standard=standard, enterprise=a)
    StandardDrafterFactory(standard=standard, enterprise=b)
    HonourFactory(enterprise=b, honour_type="qianjiang_cup", year=2023, awarded_on=dt.date(2023, 5, 1))
    _bureau(make_user, auth)
    html = client.get("/targets/towns?as_of=2024-01-31").get_data(as_text=True)
    assert "杜桥镇" in html and "古城街道" in html
    assert re.search(r"1\. 杜桥镇", html) and re.search(r"2\. 古城街道", html)
    xlsx = client.get("/targets/towns/export.xlsx?as_of=2024-01-31")
    ws = load_workbook(io.BytesIO(xlsx.data)).active
    assert ws["A2"].value.startswith("截至日期：2024-01-31")
    assert ws["A3"].value == "镇街"
    names = [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)]
    assert "杜桥镇" in names
    from tests.conftest import Auth

    town_client = client.application.test_client()
    Auth(town_client).login(make_user("town", jurisdiction=gucheng))
    mine = town_client.get("/targets/towns?as_of=2024-01-31").get_data(as_text=True)
    assert "古城街道" in mine and "杜桥镇" not in mine
    assert town_client.get("/targets/towns/export.xlsx").status_code == 200  # their own row only
    assert town_client.get("/targets/T2-10/records").status_code == 403


def test_dashboard_export_has_chinese_headers_and_the_date(client, auth, make_user, indicators):
    _bureau(make_user, auth)
    HonourFactory(honour_type="zhejiang_export_brand", year=2022, awarded_on=dt.date(2022, 3, 1))
    response = client.get("/targets/export.xlsx?as_of=2023-06-30&industry=auto_machinery")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.data)).active
    assert ws.title == "指标总览"
    assert "截至日期：2023-06-30" in ws["A2"].value and "汽车机械" in ws["A2"].value
    assert [c.value for c in ws[3]][:8] == ["类别", "指标代码", "指标", "单位", "类型", "取数方式", "2025年目标", "当前值"]
    assert ws.max_row == 3 + 28


def test_indicator_admin_add_edit_retire_and_report(client, auth, make_user, indicators, app, tmp_path):
    _bureau(make_user, auth)
    token = auth.csrf("/targets/indicators/new")
    bad = client.post("/targets/indicators/new", data={"csrf_token": token, "code": "X-1", "category": "品牌建设",
                                                        "name": "测试", "target_text": "abc", "kind": "new",
                                                        "method": "derived", "rule": ""})
    assert bad.status_code == 200 and "请按规划原文填写目标值" in bad.get_data(as_text=True)
    ok = client.post("/targets/indicators/new", data={"csrf_token": token, "code": "X-1", "category": "品牌建设",
                                                       "name": "新增浙江制造精品", "target_text": "≥5", "kind": "new",
                                                       "method": "derived", "rule": "zhejiang_boutique",
                                                       "status": "x", "plan": "13th"})
    assert ok.status_code == 302
    created = db.session.scalar(select(Indicator).where(Indicator.code == "X-1"))
    assert (created.target_value, created.plan) == (5.0, "14th")  # plan is never taken from input
    client.post("/targets/indicators/T2-05/retire", data={"csrf_token": token})
    assert "“钱江杯”优质工程奖" not in client.get("/targets/").get_data(as_text=True)
    client.post("/targets/indicators/T2-05/restore", data={"csrf_token": token})
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    saved = client.post("/targets/indicators/T2-02/values", content_type="multipart/form-data",
                        data={"csrf_token": token, "year": "2023", "value": "96.4", "source": "市市场监管局抽检年报",
                              "attachment": (io.BytesIO(pdf), "report.pdf")})
    assert saved.status_code == 302
    fake = client.post("/targets/indicators/T2-02/values", content_type="multipart/form-data",
                       data={"csrf_token": token, "year": "2022", "value": "95", "source": "x",
                             "attachment": (io.BytesIO(b"<html><script>alert(1)</script>"), "evil.pdf")})
    assert "内容须与扩展名一致" in fake.get_data(as_text=True)
    value = db.session.scalar(select(ReportedValue))
    assert (value.year, value.value) == (2023, 96.4)
    download = client.get(f"/targets/values/{value.id}/attachment")
    assert download.data == pdf and "attachment" in download.headers["Content-Disposition"]
    html = client.get("/targets/?as_of=2024-03-01").get_data(as_text=True)
    assert "96.4" in html and "市市场监管局抽检年报" in html


def test_snapshot_keeps_past_figures_after_records_change(client, auth, make_user, indicators):
    from registry.targets.tasks import snapshot_month

    honour = HonourFactory(honour_type="qianjiang_cup", year=2024, awarded_on=dt.date(2024, 2, 1))
    assert snapshot_month("2024-04-02T03:00:00+00:00") == "2024-03-31"
    honour.revoked_on = dt.date(2024, 3, 15)  # recorded later, back-dated
    db.session.commit()
    assert snapshot_month("2024-04-20T03:00:00+00:00") == "2024-03-31"  # idempotent: kept as issued
    _bureau(make_user, auth)
    listing = client.get("/targets/snapshots").get_data(as_text=True)
    snap_id = re.search(r"/targets/snapshots/(\d+)\"", listing).group(1)
    ws = load_workbook(io.BytesIO(client.get(f"/targets/snapshots/{snap_id}.xlsx").data)).active
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "T2-05")
    assert row[7] == 1  # as issued on 2024-03-31, although the live figure is now 0
    live = client.get("/targets/?as_of=2024-03-31").get_data(as_text=True)
    assert re.search(r'T2-05/records\?as_of=2024-03-31">0</a>', live)


def test_cached_page_follows_record_and_catalogue_changes(client, auth, make_user, indicators):
    """The dashboard body is cached; a new honour, a revocation or an edited target shows on the next view."""
    _bureau(make_user, auth)
    url = "/targets/?as_of=2024-12-31"
    pattern = r'T2-05/records\?as_of=2024-12-31">(\d+)</a>'
    assert re.search(pattern, client.get(url).get_data(as_text=True)).group(1) == "0"
    honour = HonourFactory(honour_type="qianjiang_cup", year=2023, awarded_on=dt.date(2023, 5, 1))
    assert re.search(pattern, client.get(url).get_data(as_text=True)).group(1) == "1"
    honour.revoked_on = dt.date(2024, 6, 1)
    db.session.commit()
    assert re.search(pattern, client.get(url).get_data(as_text=True)).group(1) == "0"
    indicator = db.session.scalar(select(Indicator).where(Indicator.code == "T2-05"))
    indicator.name = "“钱江杯”优质工程奖（新增，已改名）"
    db.session.commit()
    assert "已改名" in client.get(url).get_data(as_text=True)


def test_huge_numbers_are_form_errors_not_500(client, auth, make_user, indicators):
    _bureau(make_user, auth)
    token = auth.csrf("/targets/indicators/new")
    huge = "9" * 400
    page = client.post("/targets/indicators/new", data={"csrf_token": token, "code": "X-2", "category": "品牌建设",
                                                         "name": "n", "target_text": "1", "kind": "new",
                                                         "method": "reported", "rule": "", "sort_order": huge})
    assert page.status_code == 200 and "数值过大或无效" in page.get_data(as_text=True)
    for field, value in (("year", huge), ("value", huge), ("value", "inf"), ("value", "nan")):
        data = {"csrf_token": token, "year": "2023", "value": "1", "source": "x", field: value}
        answer = client.post("/targets/indicators/T2-02/values", data=data)
        assert answer.status_code == 200, (field, value)
    assert db.session.scalar(select(ReportedValue)) is None
