"""Hostile and broken uploads are refused with a clear message: no 500, no job, no file kept."""
from __future__ import annotations

import io
import os
import zipfile

import pytest
from sqlalchemy import func, select

from registry.excel.models import ImportJob
from registry.extensions import db
from tests.excel.conftest import ENTERPRISE_HEADERS, enterprise_row, xlsx
from tests.factories import make_uscc


def _stored_files(app) -> list[str]:
    folder = os.path.join(app.config["UPLOAD_DIR"], "imports")
    return os.listdir(folder) if os.path.isdir(folder) else []


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def _bomb() -> bytes:
    """A valid-looking .xlsx whose one sheet inflates to 300 MB of zeros (about 300 KB on disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(300):
                entry.write(chunk)
    return out.getvalue()


def _many_entries() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>",
                 **{f"xl/media/{i}.bin": b"x" for i in range(1000)}})


GOOD = xlsx(ENTERPRISE_HEADERS, [enterprise_row(1, make_uscc(1))])

CASES = {
    "html renamed": (b"<!doctype html><html><script>alert(1)</script></html>", "名录.xlsx", "只是改了扩展名"),
    "zip bomb": (_bomb(), "bomb.xlsx", "压缩炸弹"),
    "too many entries": (_many_entries(), "many.xlsx", "文件过多"),
    "plain zip": (_zip({"readme.txt": b"hello"}), "archive.xlsx", "不是 Excel 工作簿"),
    "xls extension": (GOOD, "old.xls", ".xlsx"),
    "csv": (b"a,b\n1,2\n", "data.csv", ".xlsx"),
    "dot-dot name": (GOOD, "../../etc/cron.d/x.xlsx", "路径或非法字符"),
    "backslash name": (GOOD, "..\\..\\evil.xlsx", "路径或非法字符"),
    "empty": (b"", "empty.xlsx", "文件是空的"),
    "truncated xlsx": (GOOD[: len(GOOD) // 2], "cut.xlsx", "损坏"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_upload_is_refused(case, importer, app):
    data, filename, message = CASES[case]
    stored_before = _stored_files(app)
    response = importer.upload("enterprises", data, filename)
    assert response.status_code == 400, case
    page = response.get_data(as_text=True)
    assert message in page
    assert 'role="alert"' in page  # shown as a form error beside the file field
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert _stored_files(app) == stored_before


def test_oversize_upload_is_refused_with_a_message(importer, app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 2048)
    stored_before = _stored_files(app)
    response = importer.upload("enterprises", GOOD + b"\0" * 4096, "big.xlsx")
    assert response.status_code == 400
    assert "文件过大" in response.get_data(as_text=True)
    assert _stored_files(app) == stored_before


def test_body_over_the_request_limit_answers_413_not_500(importer, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    stored_before = _stored_files(app)
    response = importer.upload("enterprises", b"PK\x03\x04" + b"\0" * (128 * 1024), "huge.xlsx")
    assert response.status_code == 413
    assert "文件过大" in response.get_data(as_text=True)
    assert _stored_files(app) == stored_before


def test_an_unknown_kind_is_a_form_error(importer):
    response = importer.upload("users", GOOD)
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_a_good_upload_is_stored_under_a_generated_name(importer, app):
    job_id = importer.job_id(importer.upload("enterprises", GOOD, "../名录.xlsx".replace("../", "")))
    job = db.session.get(ImportJob, job_id)
    assert job.filename == "名录.xlsx"
    assert os.path.dirname(job.stored_path) == os.path.join(app.config["UPLOAD_DIR"], "imports")
    assert os.path.basename(job.stored_path) != "名录.xlsx" and job.stored_path.endswith(".xlsx")


def test_upload_and_confirm_need_a_csrf_token(client, importer):
    response = client.post("/imports", data={"kind": "enterprises", "file": (io.BytesIO(GOOD), "a.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ImportJob)) == 0

    job_id = importer.job_id(importer.upload("enterprises", GOOD))
    assert client.post(f"/imports/{job_id}/confirm").status_code == 400
    assert client.post(f"/imports/{job_id}/confirm", data={"csrf_token": "forged"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).status == "previewed"
