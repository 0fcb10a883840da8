"""Helpers for the Excel tests: build workbooks in memory, upload them through the real pages."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from registry.excel.templates import sheet_for

ENTERPRISE_HEADERS = [spec.header for spec in sheet_for("enterprises").columns]


def xlsx(headers: list[str], rows: list[list], title: str = "数据") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_xlsx(data: bytes, sheet: str | None = None) -> list[list]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def enterprise_row(n: int, uscc: str, **over) -> list:
    values = {"企业名称": f"临海导入测试企业{n}有限公司", "统一社会信用代码": uscc, "所属镇街": "杜桥镇",
              "所属产业": "汽车机械", "规上企业": "是", "成立日期": "2015-06-01", "法定代表人": f"张{n}"}
    values.update(over)
    return [values.get(h) for h in ENTERPRISE_HEADERS]


class Importer:
    """Drives the import pages as a signed-in bureau user."""

    def __init__(self, client, auth):
        self.client, self.auth = client, auth

    def upload(self, kind: str, data: bytes, filename: str = "导入.xlsx"):
        token = self.auth.csrf("/imports")
        return self.client.post("/imports", data={"kind": kind, "csrf_token": token,
                                                  "file": (io.BytesIO(data), filename)},
                                content_type="multipart/form-data")

    def job_id(self, response) -> int:
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return int(re.search(r"/imports/(\d+)", response.headers["Location"]).group(1))

    def confirm(self, job_id: int):
        token = self.auth.csrf(f"/imports/{job_id}")
        return self.client.post(f"/imports/{job_id}/confirm", data={"csrf_token": token})


@pytest.fixture
def bureau(make_user, auth):
    user = make_user("bureau")
    auth.login(user)
    return user


@pytest.fixture
def importer(client, auth, bureau):
    return Importer(client, auth)
