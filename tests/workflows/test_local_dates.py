"""Dates people see and deadlines count are Linhai (Asia/Shanghai) dates: 16:00 UTC is already tomorrow there.

Each case runs the same action a second before and at 16:00:00 UTC, and across a year end.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from registry import clock
from registry.extensions import db
from registry.models import Certification
from tests.factories import CertificationFactory
from tests.workflows.conftest import place
from workflows import engine
from workflows.models import Application
from workflows.services import sweeps


def _utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment, expected", [
    (_utc(2026, 6, 30, 15, 59, 59), date(2026, 6, 30)),
    (_utc(2026, 6, 30, 16, 0, 0), date(2026, 7, 1)),  # 00:00 Beijing time
    (_utc(2026, 6, 30, 18, 0, 0), date(2026, 7, 1)),  # 02:00 Beijing time
    (_utc(2026, 12, 31, 15, 59, 59), date(2026, 12, 31)),
    (_utc(2026, 12, 31, 16, 0, 0), date(2027, 1, 1)),  # new year in Linhai, still the old one in UTC
])
def test_a_certificate_suspended_after_midnight_beijing_time_is_dated_that_day(cast, draft, moment, expected):
    application = draft()
    place(application.id, "certified", "done")
    cert = CertificationFactory(enterprise=cast.enterprise, cert_type="pinzibiao", number="PZB-T-1",
                                issued_on=date(2025, 3, 1), expires_on=date(2028, 3, 1))
    db.session.get(Application, application.id).certification_id = cert.id
    db.session.commit()
    engine.apply(application.id, "suspend", cast.bureau, reason="监督抽查不合格", now=moment)
    db.session.expire_all()
    assert db.session.get(Certification, cert.id).status_changed_on == expected


@pytest.mark.parametrize("moment, sent", [
    (_utc(2026, 12, 31, 15, 59, 59), 0),  # 23:59:59 on 31 December in Linhai: the window opens tomorrow
    (_utc(2026, 12, 31, 16, 0, 0), 1),  # 00:00 on 1 January 2027 in Linhai: 90 days before expiry
])
def test_the_certificate_sweep_counts_days_in_linhai(cast, draft, moment, sent):
    application = draft()
    place(application.id, "certified", "done")
    cert = CertificationFactory(enterprise=cast.enterprise, cert_type="pinzibiao", number="PZB-T-2",
                                issued_on=date(2024, 4, 1), expires_on=date(2027, 4, 1))  # 2027-01-01 + 90 days
    db.session.get(Application, application.id).certification_id = cert.id
    db.session.commit()
    assert sweeps.sweep_certificates(moment) == sent


def test_the_clock_names_the_linhai_date():
    assert clock.local_date(_utc(2026, 12, 31, 15, 59, 59)) == date(2026, 12, 31)
    assert clock.local_date(_utc(2026, 12, 31, 16, 0, 0)) == date(2027, 1, 1)
