"""The bureau's holiday calendar: a year chinese-calendar does not know counts weekends until the bureau enters its
holidays and make-up days here; what it enters moves deadlines computed afterwards; only staff reach the page."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from registry.extensions import db
from tests.conftest import csrf_token_from
from workflows import calendar
from workflows.models import HolidayOverride


def test_entering_a_years_days_changes_the_working_day_count(client, auth, make_user):
    spring_festival, makeup_saturday = dt.date(2027, 2, 8), dt.date(2027, 2, 20)  # a Monday, a Saturday
    assert calendar.is_workday(spring_festival) and not calendar.is_workday(makeup_saturday)  # weekend fallback
    auth.login(make_user("bureau"))
    page = client.get("/admin/holidays?year=2027").get_data(as_text=True)
    assert "系统尚未内置 2027 年的节假日安排" in page and "本年度尚未登记" in page
    token = csrf_token_from(page)
    for day, kind, note in ((spring_festival, "0", "春节"), (makeup_saturday, "1", "春节调休")):
        answer = client.post("/admin/holidays?year=2027", data={"csrf_token": token, "day": day.isoformat(),
                                                                "is_workday": kind, "note": note})
        assert answer.status_code == 302
    db.session.expire_all()
    assert not calendar.is_workday(spring_festival) and calendar.is_workday(makeup_saturday)
    # Five working days from Friday 5 February: the holiday Monday is skipped, the make-up Saturday is not reached.
    assert calendar.add_working_days(dt.date(2027, 2, 5), 5) == dt.date(2027, 2, 15)
    page = client.get("/admin/holidays?year=2027").get_data(as_text=True)
    assert "已登记（2）" in page and "春节调休" in page

    row = db.session.scalar(select(HolidayOverride).where(HolidayOverride.day == spring_festival))
    assert client.post(f"/admin/holidays/{row.id}/delete", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert calendar.is_workday(spring_festival)


def test_a_known_year_shows_the_official_days_and_bad_input_is_a_form_error(client, auth, make_user):
    auth.login(make_user("admin"))
    page = client.get("/admin/holidays?year=2026").get_data(as_text=True)
    assert "已由国务院公布" in page and "2026-10-01 国庆节" in page
    token = csrf_token_from(page)
    answer = client.post("/admin/holidays", data={"csrf_token": token, "day": "", "is_workday": "0"})
    assert answer.status_code == 422 and 'aria-invalid="true"' in answer.get_data(as_text=True)
    answer = client.post("/admin/holidays", data={"csrf_token": token, "day": "1999-01-01", "is_workday": "7"})
    assert answer.status_code == 422
    answer = client.post("/admin/holidays", data={"csrf_token": token, "day": "1999-01-01", "is_workday": "0"})
    assert answer.status_code == 422 and "2004" in answer.get_data(as_text=True)
    assert db.session.scalar(select(HolidayOverride.id)) is None
    assert client.get("/admin/holidays?year=abc").status_code == 200


def test_only_staff_reach_the_calendar(client, auth, make_user):
    for role in ("enterprise", "town", "expert"):
        auth.login(make_user(role))
        assert client.get("/admin/holidays").status_code == 403
        auth.logout()
