"""Exports say what the page says: a certificate's status is computed by the page's one function (a certificate that
expired years ago is 已过期 in the workbook too), and every export is named ``<what>-<Linhai date>.xlsx``, sent
with the RFC 5987 ``filename*``."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from registry import clock
from tests.excel.conftest import read_xlsx
from tests.factories import CertificationFactory, EnterpriseFactory


def _filename(response) -> str:
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;"), disposition
    marker = "filename*=UTF-8''"
    assert marker in disposition, disposition
    return disposition.split(marker, 1)[1].split(";")[0]


def _column(rows: list[list], header: str) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def test_an_expired_certificate_is_expired_on_the_page_and_in_every_workbook(client, auth, make_user):
    firm = EnterpriseFactory(name="临海过期证书有限公司")
    CertificationFactory(enterprise=firm, number="OLD-2019", issued_on=date(2016, 1, 1), expires_on=date(2019, 1, 1),
                         status="valid")
    CertificationFactory(enterprise=firm, number="NEW-2099", issued_on=date(2020, 1, 1), expires_on=date(2099, 1, 1),
                         status="valid")
    auth.login(make_user("bureau"))
    page = client.get(f"/enterprises/{firm.id}").get_data(as_text=True)
    assert "已过期" in page

    for url in (f"/enterprises/{firm.id}/records.xlsx", "/enterprises/export/certifications.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        rows = read_xlsx(response.data, "认证证书")
        by_number = dict(zip(_column(rows, "证书编号"), _column(rows, "当前状态")))
        assert by_number == {"OLD-2019": "已过期", "NEW-2099": "有效"}, url
        assert "登记状态" in rows[0]  # the recorded status stays, so the workbook imports back


def test_every_export_is_named_in_chinese_with_the_linhai_date(client, auth, make_user):
    firm = EnterpriseFactory(name="临海命名有限公司")
    auth.login(make_user("bureau"))
    today = clock.today().isoformat()
    expected = {
        "/enterprises/export.xlsx": f"企业名录-{today}.xlsx",
        "/enterprises/export/certifications.xlsx": f"认证证书-{today}.xlsx",
        "/enterprises/export/all.xlsx": f"全部记录-{today}.xlsx",
        f"/enterprises/{firm.id}/records.xlsx": f"临海命名有限公司-质量档案-{today}.xlsx",
        "/applications/all/export.xlsx": f"申报总览-{today}.xlsx",
        f"/targets/export.xlsx?as_of={today}": f"规划指标-{today}.xlsx",
        f"/targets/towns/export.xlsx?as_of={today}": f"镇街考核-{today}.xlsx",
    }
    for url, name in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert _filename(response) == quote(name, safe=""), (url, response.headers["Content-Disposition"])
