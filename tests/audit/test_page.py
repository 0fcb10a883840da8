"""系统管理 › 安全审计: filters (who, what, when in Linhai dates, from where), paging, the .xlsx export, and who
may open it."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook

from registry.audit.trail import record
from registry.extensions import db
from tests.audit.conftest import events


def _utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.fixture
def admin(make_user, auth):
    user = make_user("admin", email="chief@example.cn")
    auth.login(user)
    return user


@pytest.fixture
def seeded(make_user):
    """Four events of two people from two networks, either side of a Linhai midnight."""
    alice, bob = make_user("bureau", email="alice@example.cn"), make_user("town", email="bob@example.cn")
    record("sign_in", alice, address="10.1.0.5", now=_utc(2026, 3, 1, 15, 59, 59))  # 3-1 23:59:59 Linhai
    record("sign_in", bob, address="172.16.0.9", now=_utc(2026, 3, 1, 16, 0, 0))  # 3-2 00:00 Linhai
    record("export", alice, details={"what": "=HYPERLINK(\"http://evil\",\"x\")"}, address="10.1.0.6",
           now=_utc(2026, 3, 2, 3))
    record("sign_in_failed", None, actor_label="mallory@example.cn", details={"reason": "unknown_account"},
           address="203.0.113.7", now=_utc(2026, 3, 3, 3))
    db.session.commit()


def _rows_shown(html: str) -> int:
    return html.count('<tr id="event-')


@pytest.mark.parametrize("query, expected", [
    ("", 5),  # and the administrator's own sign-in
    ("actor=alice", 2),
    ("actor=MALLORY", 1),
    ("event=sign_in", 3),
    ("event=sign_in_failed", 1),
    ("address=10.1.", 2),
    ("address=203.0.113.7", 1),
    ("since=2026-03-02&until=2026-03-03", 3),  # from Linhai midnight: Bob's 16:00:00 UTC sign-in is on 3-2
    ("until=2026-03-01", 1),  # Alice's 15:59:59 UTC sign-in is the only one on 3-1
    ("since=2026-03-02&until=2026-03-02&actor=alice", 1),
])
def test_filters(client, admin, seeded, query, expected):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _rows_shown(html) == expected


def test_times_are_shown_in_linhai_time(client, admin, seeded):
    html = client.get("/admin/audit?actor=bob").get_data(as_text=True)
    assert "2026-03-02 00:00:00" in html


@pytest.mark.parametrize("query, field", [("since=2026-02-30", "日期格式"), ("event=drop_tables", "未知的事件类型")])
def test_bad_filters_are_a_form_error(client, admin, seeded, query, field):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 422 and field in response.get_data(as_text=True)


def test_paging(client, admin, make_user):
    someone = make_user("bureau")
    for n in range(120):
        record("sign_in", someone, address=f"10.0.0.{n}")
    db.session.commit()
    first = client.get("/admin/audit").get_data(as_text=True)
    third = client.get("/admin/audit?page=3").get_data(as_text=True)
    assert _rows_shown(first) == 50 and _rows_shown(third) == 21  # 120 + the admin's own sign-in
    assert "第 1 / 3 页" in first and "10.0.0.119" in first and "10.0.0.0<" in third
    assert _rows_shown(client.get("/admin/audit?page=999").get_data(as_text=True)) == 21  # past the end: the last


def test_export_is_the_filtered_trail_with_inert_text_and_is_itself_recorded(client, admin, seeded):
    response = client.get("/admin/audit/export.xlsx?actor=alice")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''%E5%AE%89%E5%85%A8%E5%AE%A1%E8%AE%A1-" in response.headers["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "时间", "事件")
    assert [r[3] for r in rows[1:]] == ["alice@example.cn", "alice@example.cn"]
    assert rows[-1][1] == datetime(2026, 3, 1, 23, 59, 59)  # Linhai time
    formula_cell = ws.cell(row=2, column=7)
    assert formula_cell.data_type == "s" and "HYPERLINK" in formula_cell.value
    exported = events("export")[-1]
    assert exported.actor == "chief@example.cn" and exported.details["filters"] == {"actor": "alice"}


@pytest.mark.parametrize("role", ["bureau", "town", "enterprise", "expert"])
def test_only_administrators_see_the_trail(client, auth, make_user, role):
    auth.login(make_user(role))
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit/export.xlsx").status_code == 403
    if role == "bureau":  # bureau staff have the other admin tabs, not this one
        assert "/admin/audit" not in client.get("/admin/users").get_data(as_text=True)


def test_the_tab_shows_for_administrators(client, admin):
    assert "/admin/audit" in client.get("/admin/users").get_data(as_text=True)
