"""系统管理 › 安全审计 in Chromium, desktop and 390 px: a realistic day of events, filtered by a person, the table
readable without sideways scrolling on a phone. Screenshots under test-artifacts/screenshots/."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from registry.audit.trail import record
from registry.extensions import db


def _day(make_user) -> None:
    staff = make_user("bureau", email="chen.shenhe@linhai.example", display_name="陈审核")
    town = make_user("town", email="wangzhen@linhai.example", display_name="王镇街")
    now = datetime.now(timezone.utc)
    record("sign_in_failed", None, actor_label="chen.shenhe@linhai.example", details={"reason": "wrong_password"},
           address="10.33.1.24", now=now - timedelta(hours=5))
    record("sign_in", staff, f"user:{staff.id}", address="10.33.1.24", now=now - timedelta(hours=5, minutes=-1))
    record("export", staff, details={"what": "企业名录", "filters": {"jurisdiction": "331082001"}},
           address="10.33.1.24", now=now - timedelta(hours=4))
    record("setting_change", staff, "setting:workflows.reminder_days",
           {"key": "workflows.reminder_days", "from": 2, "to": 3}, address="10.33.1.24", now=now - timedelta(hours=3))
    record("sign_in", town, f"user:{town.id}", address="172.20.8.61", now=now - timedelta(hours=2))
    record("import", town, "import_job:12", {"kind": "enterprises", "file": "杜桥镇企业名单2026.xlsx", "rows": 148},
           address="172.20.8.61", now=now - timedelta(hours=1))
    record("token_create", None, f"user:{staff.id}", {"email": staff.email, "token_id": 3, "label": "统计报送"},
           now=now - timedelta(minutes=30))
    db.session.commit()


def test_the_audit_page_in_a_browser(page, phone_page, shot, make_user):
    from tests.browser.fixtures import sign_in

    admin = make_user("admin", email="admin@linhai.example", display_name="系统管理员")
    _day(make_user)
    sign_in(page, admin.email)
    page.goto("/admin/audit")
    assert "安全审计" in page.inner_text("nav.tabs")
    assert page.locator("table.audit tbody tr").count() == 8  # the day's seven and this sign-in
    shot(page, "admin-audit")
    page.select_option("#event", "sign_in")
    page.fill("#address", "10.33.")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.audit tbody tr").count() == 1
    shot(page, "admin-audit-filtered")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.startswith("安全审计-")

    sign_in(phone_page, admin.email)
    phone_page.goto("/admin/audit")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at 390 px"
    shot(phone_page, "admin-audit-phone")
