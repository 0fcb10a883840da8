"""Issue 12 item 5: the 413 page names the limit and leads back to the form; every upload form states the allowed
types and size."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.workflows.conftest import place

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def small_limit(app):
    before = app.config["MAX_CONTENT_LENGTH"], app.config["UPLOAD_MAX_BYTES"]
    app.config["MAX_CONTENT_LENGTH"] = app.config["UPLOAD_MAX_BYTES"] = 2 * 1024 * 1024
    yield
    app.config["MAX_CONTENT_LENGTH"], app.config["UPLOAD_MAX_BYTES"] = before


def test_too_large_upload_names_the_limit_and_leads_back(client, auth, cast, draft, small_limit):
    application = draft()
    auth.login(cast.applicant)
    page = f"http://localhost/applications/{application.id}"
    response = client.post(f"/applications/{application.id}/attachments",
                           data={"csrf_token": auth.csrf(f"/applications/{application.id}"), "slot": "evidence",
                                 "file": (io.BytesIO(b"%PDF-1.4" + b"0" * (3 * 1024 * 1024)), "big.pdf")},
                           content_type="multipart/form-data", headers={"Referer": page})
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "2 MB" in html and "上限" in html
    assert f'href="{page}"' in html and "返回表单重新选择文件" in html


def test_too_large_upload_asked_as_json_names_the_limit(client, auth, cast, draft, small_limit):
    application = draft()
    auth.login(cast.applicant)
    response = client.post(f"/applications/{application.id}/attachments",
                           data={"csrf_token": auth.csrf(f"/applications/{application.id}"), "slot": "evidence",
                                 "file": (io.BytesIO(b"0" * (3 * 1024 * 1024)), "big.pdf")},
                           content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert response.status_code == 413
    assert response.json["limit_bytes"] == 2 * 1024 * 1024 and "2 MB" in response.json["error"]


def test_a_foreign_referrer_is_not_offered_as_the_way_back(client, auth, cast, draft, small_limit):
    application = draft()
    auth.login(cast.applicant)
    response = client.post(f"/applications/{application.id}/attachments",
                           data={"csrf_token": auth.csrf(f"/applications/{application.id}"), "slot": "evidence",
                                 "file": (io.BytesIO(b"0" * (3 * 1024 * 1024)), "big.pdf")},
                           content_type="multipart/form-data", headers={"Referer": "https://evil.example/x"})
    assert "evil.example" not in response.get_data(as_text=True)


def test_every_upload_form_template_states_types_and_size():
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for form in re.findall(r'<form[^>]*multipart/form-data[^>]*>.*?</form>', text, re.S):
            if "upload_rule(" not in form:
                missing.append(str(path.relative_to(TEMPLATES)))
    assert missing == []


def test_the_rule_shown_is_the_rule_enforced(client, auth, cast, draft):
    application = draft()
    place(application.id, "town_recommendation", "in_progress")
    auth.login(cast.applicant)
    html = client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert "允许的类型：PDF、JPG、PNG、DOCX、XLSX；单个文件不超过 20 MB。" in html
    assert 'accept=".pdf,.jpg,.png,.docx,.xlsx,.jpeg"' in html
