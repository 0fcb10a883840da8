"""Spreadsheet formula injection (issue 9, item 1): every workbook the system writes stores a formula-like value
a user typed as inert text that shows exactly what was typed.

Every free-text field of an enterprise and of one record of every kind is set to a payload starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return; each export is opened with openpyxl: no cell is a formula, and
every payload is there, character for character, as quote-prefixed text.
"""
from __future__ import annotations

import datetime as dt
import io
import time

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from registry.excel.cells import FORMULA_TRIGGERS
from registry.extensions import db
from registry.records.kinds import KINDS, STANDARDS
from registry.excel.templates import ENTERPRISES, sheet_for
from tests import factories as f

PAYLOADS = ['=HYPERLINK("http://evil","x")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+9)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
assert {p[0] for p in PAYLOADS} == set(FORMULA_TRIGGERS)

RECORD_FACTORIES = {"standards": f.StandardDrafterFactory, "certifications": f.CertificationFactory,
                    "honours": f.HonourFactory, "patents": f.PatentFactory, "trademarks": f.TrademarkFactory,
                    "credit-records": f.CreditRecordFactory, "incidents": f.IncidentRecordFactory,
                    "benefit-grades": f.BenefitGradeFactory, "gi-products": f.GiProductFactory}


def _text_specs(specs):
    return [s for s in specs if s.type in ("str", "text") and not s.readonly]


def _poison(obj, specs, payload: str, written: list[str]) -> None:
    """Set every free-text column of ``obj`` named by ``specs`` to ``payload`` (cut to the column's length)."""
    columns = sa.inspect(type(obj)).columns
    for spec in _text_specs(specs):
        if spec.name not in columns:
            continue
        length = getattr(columns[spec.name].type, "length", None)
        value = payload[:length] if length else payload
        setattr(obj, spec.name, value)
        written.append(value)


def _poisoned_registry() -> tuple[list, list[str]]:
    assert set(RECORD_FACTORIES) == set(KINDS)
    written: list[str] = []
    enterprises = []
    for payload in PAYLOADS:
        ent = f.EnterpriseFactory()
        _poison(ent, sheet_for(ENTERPRISES).columns, payload, written)
        for slug, factory in RECORD_FACTORIES.items():
            record = factory(enterprise=ent)
            if slug == "honours":
                record.awarded_on, record.year = dt.date(2022, 4, 1), 2022  # counted by the targets export
            target = record.standard if KINDS[slug] is STANDARDS else record
            _poison(target, KINDS[slug].fields if KINDS[slug] is not STANDARDS else sheet_for(slug).columns,
                    payload, written)
        enterprises.append(ent)
    db.session.commit()
    return enterprises, written


def _inert(data: bytes) -> set[str]:
    """The text of every cell of the workbook; fails on any formula cell or unprotected formula-like text."""
    wb = load_workbook(io.BytesIO(data))
    texts = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(FORMULA_TRIGGERS):
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
    return texts


def _get(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.data


def test_registry_exports_store_formula_like_values_as_the_text_typed(client, auth, make_user):
    enterprises, written = _poisoned_registry()
    auth.login(make_user("bureau"))
    shown = _inert(_get(client, "/enterprises/export.xlsx")) | _inert(_get(client, "/enterprises/export/all.xlsx"))
    for slug in KINDS:
        shown |= _inert(_get(client, f"/enterprises/export/{slug}.xlsx"))
    for ent in enterprises:
        shown |= _inert(_get(client, f"/enterprises/{ent.id}/records.xlsx"))
    assert len(written) >= 6 * 20  # every free-text field of an enterprise and its records, per payload
    # XML turns a stored carriage return into a line feed (line-end normalisation); since item 5 no input keeps one.
    expected = {value.replace("\r", "\n") for value in written}
    assert expected <= shown, sorted(expected - shown)[:5]


def test_enterprise_exports_its_own_poisoned_file_inertly(client, auth, make_user):
    enterprises, written = _poisoned_registry()
    ent = enterprises[0]
    auth.login(make_user("enterprise", enterprise=ent))
    shown = _inert(_get(client, f"/enterprises/{ent.id}/records.xlsx"))
    assert PAYLOADS[0] in shown or PAYLOADS[0][:200] in shown


@pytest.mark.parametrize("slug", [ENTERPRISES, *KINDS])
def test_import_templates_hold_no_formula(client, auth, make_user, slug):
    auth.login(make_user("bureau"))
    _inert(_get(client, f"/imports/templates/{slug}.xlsx"))


def test_targets_workbooks_store_formula_like_values_as_the_text_typed(client, auth, make_user, celery_worker):
    from registry.targets.seed import seed_indicators
    from registry.targets.versions import bump_all

    seed_indicators()
    enterprises, written = _poisoned_registry()
    bump_all()
    auth.login(make_user("bureau"))
    _inert(_get(client, "/targets/export.xlsx?as_of=2024-06-30"))
    _inert(_get(client, "/targets/towns/export.xlsx?as_of=2024-06-30"))
    started = client.post("/targets/exports?as_of=2024-06-30", data={"csrf_token": auth.csrf("/targets/")})
    job_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    deadline, state = time.monotonic() + 90, {}
    while time.monotonic() < deadline:
        state = client.get(f"/targets/exports/{job_id}.json").get_json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.3)
    if state["status"] != "done":
        from registry.extensions import db
        from registry.targets.models import TargetExport

        db.session.rollback()
        pytest.fail(f"export job {state}: {db.session.get(TargetExport, job_id).error!r}")
    shown = _inert(_get(client, state["download"]))
    names = {e.name for e in enterprises}
    assert any(name in text for name in names for text in shown)  # the counted records list the enterprises
