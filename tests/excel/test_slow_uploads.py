"""Uploads that would hold a web thread (issue 9, item 8): 300,000 blank rows, a sheet longer than the request may
read, too many rows. The request reads at most IMPORT_WEB_SCAN_ROWS rows and answers at once; a run of
IMPORT_MAX_BLANK_RUN blank rows ends the data; the worker reads what the request did not."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from sqlalchemy import select

from registry.excel.models import ImportJob
from registry.extensions import db
from tests.excel.conftest import ENTERPRISE_HEADERS, enterprise_row, xlsx
from tests.excel.test_async_import import _wait_for
from tests.factories import make_uscc


def with_blank_rows(data: bytes, blanks: int) -> bytes:
    """The workbook with ``blanks`` rows of one empty cell after its last row (written into the sheet's XML: openpyxl
    would take a minute to write them), and a dimension that covers them, as a sheet formatted to the end has."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                last = max(int(n) for n in re.findall(r'<row r="(\d+)"', text))
                rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t></t></is></c></row>'
                               for n in range(last + 1, last + blanks + 1))
                text = text.replace("</sheetData>", rows + "</sheetData>")
                text = re.sub(r'<dimension ref="[^"]*" ?/>', f'<dimension ref="A1:Z{last + blanks}"/>', text)
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


@pytest.fixture
def rows_read(monkeypatch):
    """How many sheet rows this process reads (the request, in the test client): what holds a web thread, counted
    instead of timed (a timed bound fails on a loaded machine and passes a slow reader on a fast one)."""
    counted = [0]
    original = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for row in original(self, *args, **kwargs):
            counted[0] += 1
            yield row

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return counted


def test_300000_blank_rows_answer_at_once(app, importer, client, rows_read):
    data = with_blank_rows(xlsx(ENTERPRISE_HEADERS, [enterprise_row(1, make_uscc(1))]), 300_000)
    response = importer.upload("enterprises", data)
    job = db.session.get(ImportJob, importer.job_id(response))
    # the header, the row, then the run of blank rows that ends the data (the upload and its preview each read the
    # sheet once): not the 300,000
    assert rows_read[0] <= 2 * (app.config["IMPORT_MAX_BLANK_RUN"] + 2), f"the request read {rows_read[0]} rows"
    assert (job.status, job.total_rows) == ("previewed", 1)


def test_a_sheet_longer_than_the_request_reads_goes_to_the_worker(app, importer, client, celery_worker, rows_read):
    limit = app.config["IMPORT_WEB_SCAN_ROWS"]
    rows = []
    for n in range(30):  # 30 enterprises, each followed by 99 blank rows: 3,000 sheet rows
        rows.append(enterprise_row(n, make_uscc(7000 + n)))
        rows.extend([[None] * len(ENTERPRISE_HEADERS)] * 99)
    assert len(rows) > limit
    job_id = importer.job_id(importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, rows)))
    assert rows_read[0] <= 2 * (limit + 1), f"the request read {rows_read[0]} rows"  # the rest is the worker's
    assert db.session.get(ImportJob, job_id).status in ("draft", "previewed")  # handed over, not read here
    status, _ = _wait_for(client, job_id, {"previewed", "failed"})
    assert status["status"] == "previewed" and status["total_rows"] == 30, status


def test_too_many_rows_are_refused_with_the_limit(app, importer, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 5)
    answer = importer.upload("enterprises", xlsx(ENTERPRISE_HEADERS, [enterprise_row(n, make_uscc(8000 + n))
                                                                      for n in range(6)]))
    assert answer.status_code == 400 and "一次最多导入 5 行" in answer.get_data(as_text=True)
    assert db.session.scalar(select(ImportJob.id)) is None
