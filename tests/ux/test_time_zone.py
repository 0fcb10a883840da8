"""Issue 12 item 14: every page shows times in Asia/Shanghai through one Jinja filter (``local_time``)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

from registry.extensions import db
from registry.timefmt import local_day, local_time

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_local_time_shows_utc_and_naive_utc_in_shanghai():
    moment = datetime(2026, 12, 3, 17, 30, tzinfo=timezone.utc)
    assert local_time(moment) == "2026-12-04 01:30"
    assert local_time(moment.replace(tzinfo=None)) == "2026-12-04 01:30"  # SQLite's naive UTC
    assert local_time("2026-12-03T17:30:00+00:00") == "2026-12-04 01:30"  # JSON columns keep ISO text
    assert local_day(moment) == "2026-12-04"
    assert local_time(None) == "" and local_time(None, empty="—") == "—"
    assert local_time(date(2026, 12, 4)) == "2026-12-04"


def test_admin_sees_last_sign_in_in_shanghai_time(client, auth, make_user):
    expert = make_user("expert")
    expert.last_login_at = datetime(2026, 12, 3, 17, 30, tzinfo=timezone.utc)
    db.session.commit()
    auth.login(make_user("admin"))
    for path in (f"/admin/users/{expert.id}", "/admin/users"):
        html = client.get(path).get_data(as_text=True)
        assert "2026-12-04 01:30" in html, path
        assert "2026-12-03 17:30" not in html, path


def test_no_template_formats_a_time_itself():
    """A datetime reaches the page only through the shared filter: no strftime or home-made filters in templates."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\.strftime\(", r"\|wf_local", r"aw\.local_time", r"_at\.isoformat\(\)"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []
