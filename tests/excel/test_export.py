"""Exports: Chinese headers, the list page's filters and order, and the user's scope."""
from __future__ import annotations

from datetime import date

from tests.excel.conftest import ENTERPRISE_HEADERS, read_xlsx
from tests.factories import (CertificationFactory, CreditRecordFactory, EnterpriseFactory, PatentFactory,
                             StandardDrafterFactory, industry, jurisdiction)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(client, query: str = ""):
    response = client.get(f"/enterprises/export.xlsx{query}")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    return read_xlsx(response.data)


def test_export_has_chinese_headers_and_display_values(client, auth, make_user):
    auth.login(make_user("bureau"))
    EnterpriseFactory(name="临海甲机械有限公司", jurisdiction=jurisdiction("331082112"), industry=industry(),
                      above_scale=True, established_on=date(2011, 2, 3))
    rows = _export(client)
    assert rows[0] == ENTERPRISE_HEADERS
    assert rows[0][:4] == ["企业名称", "统一社会信用代码", "所属镇街", "所属产业"]
    data = dict(zip(rows[0], rows[1]))
    assert data["所属镇街"] == "杜桥镇" and data["规上企业"] == "是"
    assert data["成立日期"].date() == date(2011, 2, 3)  # a real date cell


def test_export_follows_the_list_filters_and_order(client, auth, make_user):
    auth.login(make_user("bureau"))
    duqiao, gucheng = jurisdiction("331082112"), jurisdiction("331082001")
    EnterpriseFactory(name="乙阀门有限公司", jurisdiction=duqiao, above_scale=True)
    EnterpriseFactory(name="甲阀门有限公司", jurisdiction=duqiao, above_scale=False)
    EnterpriseFactory(name="丙泵业有限公司", jurisdiction=gucheng, above_scale=True)
    listed = EnterpriseFactory(name="丁阀门有限公司", jurisdiction=gucheng)
    CreditRecordFactory(enterprise=listed, listed_on=date(2020, 1, 1), removed_on=None)
    holder = EnterpriseFactory(name="戊阀门有限公司", jurisdiction=gucheng)
    CertificationFactory(enterprise=holder, issued_on=date(2020, 1, 1), expires_on=date(2099, 1, 1))

    names = lambda rows: [r[0] for r in rows[1:]]  # noqa: E731
    assert sorted(names(_export(client, "?q=阀门"))) == sorted(["乙阀门有限公司", "甲阀门有限公司", "丁阀门有限公司",
                                                               "戊阀门有限公司"])
    assert set(names(_export(client, "?q=阀门&jurisdiction=331082112"))) == {"乙阀门有限公司", "甲阀门有限公司"}
    assert names(_export(client, "?jurisdiction=331082112&above_scale=0")) == ["甲阀门有限公司"]
    assert names(_export(client, "?credit=listed")) == ["丁阀门有限公司"]
    assert names(_export(client, "?pinzibiao=1")) == ["戊阀门有限公司"]
    by_code = _export(client, "?sort=uscc&direction=desc")
    codes = [r[1] for r in by_code[1:]]
    assert codes == sorted(codes, reverse=True) and len(codes) == 5


def test_town_reviewer_exports_only_its_jurisdiction(client, auth, make_user):
    duqiao, gucheng = jurisdiction("331082112"), jurisdiction("331082001")
    EnterpriseFactory(name="杜桥企业有限公司", jurisdiction=duqiao)
    EnterpriseFactory(name="古城企业有限公司", jurisdiction=gucheng)
    auth.login(make_user("town", jurisdiction=duqiao))
    assert [r[0] for r in _export(client)[1:]] == ["杜桥企业有限公司"]
    assert [r[0] for r in _export(client, "?jurisdiction=331082001")[1:]] == []  # filters cannot widen scope
    records = read_xlsx(client.get("/enterprises/export/all.xlsx").data, "认证证书")
    assert records[0][:2] == ["统一社会信用代码", "企业名称"]


def test_roles_without_a_list_cannot_export(client, auth, make_user):
    for role in ("enterprise", "expert"):
        auth.login(make_user(role))
        assert client.get("/enterprises/export.xlsx").status_code == 403
        client.post("/logout", data={"csrf_token": auth.csrf("/imports")})


def test_enterprise_records_export_is_scoped(client, auth, make_user):
    mine, other = EnterpriseFactory(), EnterpriseFactory()
    PatentFactory(enterprise=mine, title="我的专利")
    StandardDrafterFactory(enterprise=mine)
    auth.login(make_user("enterprise", enterprise=mine))
    response = client.get(f"/enterprises/{mine.id}/records.xlsx")
    assert response.status_code == 200
    patents = read_xlsx(response.data, "专利")
    assert patents[0][:3] == ["统一社会信用代码", "企业名称", "申请号/专利号"]
    assert [r[4] for r in patents[1:]] == ["我的专利"]
    assert len(read_xlsx(response.data, "标准")) == 2
    assert client.get(f"/enterprises/{other.id}/records.xlsx").status_code == 404
    assert client.get("/enterprises/export/nonsense.xlsx").status_code in (403, 404)


def test_templates_have_chinese_headers_and_a_valid_example(client, auth, make_user, importer):
    from registry.excel.templates import import_choices, sheet_for

    EnterpriseFactory(uscc="91350100M000100Y43")  # the records' example rows name this enterprise
    for slug, _label in import_choices():
        response = client.get(f"/imports/templates/{slug}.xlsx")
        assert response.status_code == 200
        headers = [spec.header for spec in sheet_for(slug).columns]
        data_sheet = read_xlsx(response.data, "数据")
        assert data_sheet == [headers]
        example = read_xlsx(response.data, "示例与说明")
        assert example[0] == headers
        if slug == "enterprises":
            continue  # its example code is the one registered above
        from tests.excel.conftest import xlsx

        job_id = importer.job_id(importer.upload(slug, xlsx(headers, [example[1]])))
        page = client.get(f"/imports/{job_id}").get_data(as_text=True)
        assert "确认导入 1 行" in page, (slug, page[-3000:])
