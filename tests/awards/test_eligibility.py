"""Eligibility rules against registry fixtures: each rule passes and fails with the record that decided it."""
from __future__ import annotations

import datetime as dt

import pytest

from registry import settings
from registry.awards import eligibility, screening
from registry.extensions import db
from registry.services.errors import ValidationFailed
from tests.awards.conftest import NOW, qualified
from tests.factories import CertificationFactory, CreditRecordFactory, EnterpriseFactory, IncidentRecordFactory

AS_OF = dt.date(2026, 3, 10)


def result(enterprise, rule):
    return next(r for r in eligibility.check(enterprise, AS_OF) if r["rule"] == rule)


def test_years_in_operation_pass_and_fail_cite_the_enterprise_record():
    old, young = EnterpriseFactory(established_on=dt.date(2010, 5, 1)), EnterpriseFactory(
        established_on=dt.date(2024, 6, 1))
    ok, bad = result(old, "years_in_operation"), result(young, "years_in_operation")
    assert ok["passed"] and ok["evidence"] == [{"model": "Enterprise", "id": old.id, "text": "成立日期：2010-05-01"}]
    assert not bad["passed"] and bad["evidence"][0]["id"] == young.id
    settings.put("awards.eligibility.min_years", 20)
    db.session.commit()
    assert not result(old, "years_in_operation")["passed"]  # the rule's N is a setting


def test_credit_listing_in_window_or_active_fails_with_the_listing():
    firm = EnterpriseFactory()
    CreditRecordFactory(enterprise=firm, listed_on=dt.date(2021, 1, 1), removed_on=dt.date(2022, 6, 1))
    assert result(firm, "credit")["passed"]  # removed before the 3-year window
    recent = CreditRecordFactory(enterprise=firm, listed_on=dt.date(2024, 1, 1), removed_on=dt.date(2024, 3, 1))
    active = EnterpriseFactory()
    listing = CreditRecordFactory(enterprise=active, list_type="serious_dishonesty", listed_on=dt.date(2019, 1, 1))
    bad = result(firm, "credit")
    assert not bad["passed"] and [e["id"] for e in bad["evidence"]] == [recent.id]
    assert bad["evidence"][0]["model"] == "CreditRecord"
    assert result(active, "credit")["evidence"][0]["id"] == listing.id


def test_incident_within_three_years_fails_and_kinds_are_configurable():
    firm = EnterpriseFactory()
    IncidentRecordFactory(enterprise=firm, occurred_on=dt.date(2022, 1, 1))
    assert result(firm, "incidents")["passed"]
    spot = IncidentRecordFactory(enterprise=firm, occurred_on=dt.date(2025, 5, 1), kind="failed_spot_check")
    bad = result(firm, "incidents")
    assert not bad["passed"] and bad["evidence"] == [
        {"model": "IncidentRecord", "id": spot.id, "text": "监督抽查不合格：2025-05-01"}]
    settings.put("awards.eligibility.incident_kinds", ["major_quality", "safety", "environmental"])
    db.session.commit()
    assert result(firm, "incidents")["passed"]


def test_certification_valid_passes_with_the_certificate_expired_fails():
    holder, lapsed, none = EnterpriseFactory(), EnterpriseFactory(), EnterpriseFactory()
    cert = CertificationFactory(enterprise=holder, cert_type="iso9001", number="00124Q31234R2M",
                                issued_on=dt.date(2024, 1, 1), expires_on=dt.date(2027, 1, 1))
    old = CertificationFactory(enterprise=lapsed, cert_type="iso9001", issued_on=dt.date(2020, 1, 1),
                               expires_on=dt.date(2023, 1, 1))
    CertificationFactory(enterprise=none, cert_type="pinzibiao")  # not the configured type
    ok = result(holder, "certification")
    assert ok["passed"] and ok["evidence"][0] == {"model": "Certification", "id": cert.id,
                                                  "text": "ISO 9001 质量管理体系 00124Q31234R2M，有效期至 2027-01-01"}
    bad = result(lapsed, "certification")
    assert not bad["passed"] and bad["evidence"][0]["id"] == old.id and "expired" in bad["evidence"][0]["text"]
    assert not result(none, "certification")["passed"]


def test_bureau_confirms_or_overrides_with_a_reason(make_entry, bureau):
    entry = make_entry(qualified(EnterpriseFactory()))
    assert screening.run_check(entry.id, NOW).eligibility["passed"]
    assert screening.decide(entry.id, bureau, "eligible", None, NOW).eligibility_decision == "eligible"

    failing = make_entry(qualified(EnterpriseFactory()), excellence_since=2025)  # one year of 卓越绩效
    assert not screening.run_check(failing.id, NOW).eligibility["passed"]
    with pytest.raises(ValidationFailed) as err:
        screening.decide(failing.id, bureau, "eligible", "", NOW)
    assert "reason" in err.value.errors
    decided = screening.decide(failing.id, bureau, "eligible", "证书换证中，已核实新证", NOW)
    assert decided.eligibility_reason == "证书换证中，已核实新证" and decided.eligibility_decided_by_id == bureau.id


def test_enterprise_cannot_decide(make_entry, make_user):
    entry = make_entry()
    screening.run_check(entry.id, NOW)
    with pytest.raises(Exception) as err:
        screening.decide(entry.id, make_user("enterprise"), "eligible", "x", NOW)
    assert type(err.value).__name__ == "Forbidden"


def test_credit_listing_recorded_later_in_the_round_is_flagged(make_entry):
    firm = EnterpriseFactory()
    old = CreditRecordFactory(enterprise=firm, listed_on=dt.date(2020, 1, 1), removed_on=dt.date(2020, 6, 1))
    entry = make_entry(firm)
    screening.run_check(entry.id, NOW)
    assert screening.flag_late_credit_listings(NOW) == 0  # the old listing was seen by the check
    late = CreditRecordFactory(enterprise=firm, list_type="quality_blacklist", listed_on=dt.date(2026, 3, 20))
    later = NOW + dt.timedelta(days=12)
    assert screening.flag_late_credit_listings(later) == 1
    assert screening.flag_late_credit_listings(later) == 0  # idempotent
    db.session.refresh(entry)
    assert entry.credit_flag_record_id == late.id != old.id and entry.credit_flagged_at is not None


def test_a_listing_recorded_in_the_registry_is_flagged_by_the_worker_at_once(app, celery_worker, make_entry, bureau,
                                                                           monkeypatch):
    """No waiting for the hourly sweep: saving the credit record (any way in: here the registry's service) sends
    the check for that enterprise to the worker after the commit."""
    import time

    monkeypatch.setitem(app.config, "AWARD_CREDIT_WATCH", True)

    from registry.awards.models import AwardEntry
    from registry.services import records

    firm = EnterpriseFactory()
    other = make_entry(EnterpriseFactory())
    entry = make_entry(firm)
    for e in (entry, other):
        screening.run_check(e.id, NOW)
    record = records.create_record(bureau, firm.id, "credit-records", {
        "list_type": "serious_dishonesty", "listed_on": dt.date.today().isoformat(), "authority": "台州市市场监督管理局"})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        db.session.rollback()
        if db.session.get(AwardEntry, entry.id).credit_flag_record_id:
            break
        time.sleep(0.2)
    flagged = db.session.get(AwardEntry, entry.id)
    assert flagged.credit_flag_record_id == record.id, celery_worker.log()[-3000:]
    assert db.session.get(AwardEntry, other.id).credit_flag_record_id is None
