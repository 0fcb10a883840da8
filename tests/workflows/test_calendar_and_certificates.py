"""Working days (holidays, make-up days, unknown years, bureau overrides), the CLI, and certificate reminders."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from registry.extensions import db
from tests.factories import CertificationFactory
from tests.workflows.conftest import place
from workflows import calendar, engine
from workflows.models import Application, Notification
from workflows.services import holidays, sweeps


def test_chinese_holidays_and_make_up_days():
    assert not calendar.is_workday(date(2025, 10, 1))  # National Day
    assert calendar.is_workday(date(2025, 9, 28))  # a Sunday worked in exchange (调休)
    assert calendar.add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_unknown_year_falls_back_to_weekends_and_overrides_win():
    assert calendar.is_workday(date(2031, 1, 1))  # a Wednesday; the package does not know 2031
    assert not calendar.is_workday(date(2031, 1, 4))  # Saturday
    holidays.set_day(date(2031, 1, 1), False, "元旦")
    holidays.set_day(date(2031, 1, 4), True, "调休上班")
    assert not calendar.is_workday(date(2031, 1, 1)) and calendar.is_workday(date(2031, 1, 4))
    assert calendar.add_working_days(date(2030, 12, 31), 3) == date(2031, 1, 4)  # 2nd, 3rd, make-up 4th


def test_cli_acts_through_the_engine_and_checks_the_chain(runner, cast, draft):
    application = draft()
    out = runner.invoke(args=["workflows", "act", str(application.id), "submit", "--as", cast.applicant.email])
    assert out.exit_code == 0 and "town_recommendation" in out.output, out.output
    refused = runner.invoke(args=["workflows", "act", str(application.id), "recommend", "--as", cast.bureau.email])
    assert refused.exit_code != 0 and "Forbidden" in refused.output
    assert "intact" in runner.invoke(args=["workflows", "verify-chain"]).output


def test_surveillance_and_expiry_reminders_go_out_once(cast, draft):
    application = draft()
    place(application.id, "certified", "done")
    cert = CertificationFactory(enterprise=cast.enterprise, cert_type="pinzibiao", number="PZB-X-1",
                                issued_on=date(2026, 3, 1), expires_on=date(2029, 3, 1))
    db.session.get(Application, application.id).certification_id = cert.id
    db.session.commit()
    before_anniversary = datetime(2027, 2, 10, 2, tzinfo=timezone.utc)
    assert sweeps.sweep_certificates(before_anniversary) == 1
    assert sweeps.sweep_certificates(before_anniversary) == 0  # never twice
    engine.apply(application.id, "record_surveillance", cast.bureau, payload={"surveyed_on": "2028-02-05"})
    assert sweeps.sweep_certificates(datetime(2028, 2, 10, 2, tzinfo=timezone.utc)) == 0  # already surveyed
    assert sweeps.sweep_certificates(datetime(2029, 1, 5, 2, tzinfo=timezone.utc)) == 1  # expiry notice
    kinds = sorted({n.kind for n in db.session.scalars(select(Notification)) if n.kind != "transition"})
    assert kinds == ["expiry", "surveillance"]
    users = {n.user_id for n in db.session.scalars(select(Notification).where(Notification.kind == "expiry"))}
    assert users == {cast.applicant.id, cast.bureau.id}
