"""Every registry form with hostile or broken input answers 200/302/4xx, never 500, and payloads render escaped."""
from __future__ import annotations

import pytest

from registry.records.kinds import KINDS
from registry.services.enterprises import ENTERPRISE_FIELDS
from tests.enterprises.helpers import submit
from tests.factories import CertificationFactory, EnterpriseFactory

SCRIPT = "<script>alert('x')</script>"
JUNK_VALUES = [
    SCRIPT,
    "长" * 20000,
    "2024-13-45",
    "99999-01-01",
    "-1",
    "１２３",  # full-width digits
    "\x00",
    "abc\x07def",
    "' OR 1=1 --",
    "   ",
    "9" * 400,
]


def _junk(names, value: str) -> dict:
    return {name: value for name in names}


@pytest.fixture
def bureau(make_user, auth):
    user = make_user("bureau")
    auth.login(user)
    return user


def test_master_forms_survive_junk(client, bureau):
    e = EnterpriseFactory()
    names = [spec.name for spec in ENTERPRISE_FIELDS] + ["version"]
    for value in JUNK_VALUES:  # one sign-in, every value (signing in costs an argon2 hash)
        for path in ("/enterprises/new", f"/enterprises/{e.id}/edit"):
            resp = submit(client, path, _junk(names, value))
            assert resp.status_code in (200, 302, 400, 403, 404, 409, 422), (path, value[:20], resp.status_code)
            assert SCRIPT not in resp.get_data(as_text=True)


@pytest.mark.parametrize("slug", list(KINDS))
def test_record_forms_survive_junk(client, bureau, slug):
    cert = CertificationFactory()
    names = [spec.name for spec in KINDS[slug].fields]
    base = f"/enterprises/{cert.enterprise_id}/{slug}"
    paths = [f"{base}/new"] + ([f"{base}/{cert.id}/edit"] if slug == "certifications" else [])
    for value in JUNK_VALUES:
        for path in paths:
            resp = submit(client, path, _junk(names, value))
            assert resp.status_code in (200, 302, 400, 403, 404, 409, 422), (path, value[:20], resp.status_code)
            assert SCRIPT not in resp.get_data(as_text=True)


def test_stored_payloads_render_escaped_everywhere(client, bureau):
    e = EnterpriseFactory(name=f"公司{SCRIPT}", legal_representative=SCRIPT, address=SCRIPT)
    for slug, data in {
        "patents": {"number": "ZL201710601862.3", "title": SCRIPT, "status": "granted"},
        "honours": {"honour_type": "other", "level": "linhai", "year": "2022", "title": SCRIPT, "issuer": SCRIPT},
        "incidents": {"occurred_on": "2024-01-01", "kind": "major_complaint", "description": SCRIPT},
    }.items():
        assert submit(client, f"/enterprises/{e.id}/{slug}/new", data).status_code == 302
    edit = {"name": f"改{SCRIPT}", "uscc": e.uscc, "jurisdiction": e.jurisdiction.code, "industry": e.industry.code,
            "legal_representative": f"新{SCRIPT}", "version": str(e.version)}
    assert submit(client, f"/enterprises/{e.id}/edit", edit).status_code == 302
    pages = [client.get(f"/enterprises/{e.id}"), client.get("/enterprises"), client.get(f"/enterprises/{e.id}/edit"),
             client.get("/enterprises", query_string={"q": SCRIPT})]
    for resp in pages:
        body = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert SCRIPT not in body
    page = pages[0].get_data(as_text=True)
    assert "&lt;script&gt;" in page and page.count("&lt;script&gt;") >= 6  # record cells and history rows


def test_post_with_a_forged_token_is_refused(client, bureau):
    e = EnterpriseFactory()
    resp = client.post(f"/enterprises/{e.id}/patents/new", data={"csrf_token": "forged", "title": "x"})
    assert resp.status_code == 400
