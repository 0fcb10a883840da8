"""Late applications, the committee within quota, public notice with and without objections closed by a REAL
worker under an injected clock, the Honour on the winner's record, and revocation."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from registry.awards import committee, notice, revocation, rounds
from registry.awards.models import AwardEntry, AwardRound, Objection
from registry.extensions import db
from registry.models import Honour
from registry.services.errors import Conflict, ValidationFailed
from tests.awards.conftest import NOW, eligible, self_assessment

# The committee and the notice come after the call (1-31 March) has closed: 10:00 on 1 April in Linhai.
AFTER_CALL = dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.timezone.utc)


def test_application_outside_the_call_window_is_refused(award_round, make_user):
    firm = make_user("enterprise").enterprise
    late = dt.datetime(2026, 4, 1, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 on 1 April in Linhai: closed
    with pytest.raises(ValidationFailed) as err:
        rounds.add_entry(award_round.id, firm.id, self_assessment=self_assessment(), declaration=True, now=late)
    assert "round_id" in err.value.errors
    last_evening = dt.datetime(2026, 3, 31, 15, 0, tzinfo=dt.timezone.utc)  # 23:00 on 31 March: still open
    assert rounds.add_entry(award_round.id, firm.id, self_assessment=self_assessment(), declaration=True,
                            now=last_evening).id
    with pytest.raises(Conflict):
        rounds.add_entry(award_round.id, firm.id, self_assessment=self_assessment(), declaration=True, now=NOW)


def reviewed(make_entry, bureau, scores):
    """Entries that passed eligibility with the given final scores (review itself is tested elsewhere)."""
    out = []
    for score in scores:
        entry = eligible(make_entry(), bureau)
        entry.review_scores = {"document": score, "site": score}
        entry.final_score = score
        out.append(entry)
    db.session.commit()
    return out


def test_committee_ranks_and_stays_within_quota(award_round, make_entry, bureau):
    a, b, c, d = reviewed(make_entry, bureau, [820, 880, 790, 850])
    suggestion = committee.suggestion(award_round.id)
    assert suggestion == {b.id: "quality_award", d.id: "quality_award", a.id: "quality_award_nomination", c.id: None}
    with pytest.raises(ValidationFailed) as err:
        committee.decide(award_round.id, bureau, {a.id: "quality_award", b.id: "quality_award",
                                                  d.id: "quality_award"}, AFTER_CALL)
    assert "quota_quality_award" in err.value.errors
    committee.decide(award_round.id, bureau, suggestion, AFTER_CALL)
    assert [(e.id, e.rank) for e in committee.proposed(award_round.id)] == [(b.id, 1), (d.id, 2), (a.id, 3)]
    assert rounds.funnel(award_round.id) == {"applied": 4, "recommended": 4, "eligible": 4, "reviewed": 4,
                                             "proposed": 3, "awarded": 0}


def published(award_round, make_entry, bureau):
    entries = reviewed(make_entry, bureau, [880, 850, 820])
    committee.decide(award_round.id, bureau, committee.suggestion(award_round.id), AFTER_CALL)
    notice.publish(award_round.id, bureau, AFTER_CALL)
    db.session.refresh(award_round)
    return entries


def test_window_is_seven_calendar_days_or_working_days(award_round, bureau):
    start = dt.datetime(2026, 9, 28, 2, 0, tzinfo=dt.timezone.utc)  # Monday before the National Day holiday
    assert notice.window_end(start, 7, False) == dt.datetime(2026, 10, 5, 15, 59, 59, tzinfo=dt.timezone.utc)
    # 5 working days after Monday 28 Sep 2026: 29 and 30 Sep, then 1-7 October are the National Day holiday, then
    # 8 and 9 Oct and the make-up working Saturday 10 Oct; the window ends at the end of 10 Oct, Beijing time.
    assert notice.window_end(start, 5, True) == dt.datetime(2026, 10, 10, 15, 59, 59, tzinfo=dt.timezone.utc)
    # 02:00 UTC on a Sunday is already Sunday 10:00 in Linhai; the working days start after that local day.
    sunday = dt.datetime(2026, 10, 11, 2, 0, tzinfo=dt.timezone.utc)
    assert notice.window_end(sunday, 1, True) == dt.datetime(2026, 10, 12, 15, 59, 59, tzinfo=dt.timezone.utc)


def test_the_window_counts_the_bureau_s_holiday_entries(award_round, bureau):
    """One working-day calendar: a day the bureau enters on the holidays page moves the notice window too."""
    from workflows.models import HolidayOverride

    db.session.add(HolidayOverride(day=dt.date(2026, 10, 12), is_workday=False, note="台风停工"))
    db.session.commit()
    sunday = dt.datetime(2026, 10, 11, 2, 0, tzinfo=dt.timezone.utc)
    assert notice.window_end(sunday, 1, True) == dt.datetime(2026, 10, 13, 15, 59, 59, tzinfo=dt.timezone.utc)


def run_task(celery_worker, app, now: dt.datetime) -> str:
    """Send awards.close_notices with an injected now to the real worker; wait for its logged result."""
    result = app.extensions["celery"].send_task("awards.close_notices", kwargs={"now": now.isoformat()})
    pattern = re.compile(rf"Task awards\.close_notices\[{result.id}\] succeeded in [0-9.]+s: (.*)")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = pattern.search(celery_worker.log())
        if match:
            return match.group(1).strip()
        time.sleep(0.1)
    raise AssertionError("worker did not run the task:\n" + celery_worker.log()[-3000:])


def test_notice_closes_clear_and_honours_land_on_winners(app, celery_worker, award_round, make_entry, bureau):
    first, second, third = published(award_round, make_entry, bureau)
    assert notice.parse_now(award_round.notice_ends_at) == dt.datetime(2026, 4, 8, 15, 59, 59, tzinfo=dt.timezone.utc)
    assert run_task(celery_worker, app, AFTER_CALL + dt.timedelta(days=3)) == "[]"  # window still open
    db.session.commit()  # end the read snapshot: see the worker's writes
    assert db.session.get(AwardRound, award_round.id).status == "notice"
    after = notice.parse_now(award_round.notice_ends_at) + dt.timedelta(minutes=1)
    assert run_task(celery_worker, app, after) == f"[{award_round.id}]"
    db.session.commit()  # end the read snapshot: see the worker's writes
    closed = db.session.get(AwardRound, award_round.id)
    assert closed.status == "finalised"
    honours = {h.enterprise_id: h for h in db.session.query(Honour).all()}
    assert {k: (h.honour_type, h.level, h.year) for k, h in honours.items()} == {
        first.enterprise_id: ("quality_award", "linhai", 2026), second.enterprise_id: ("quality_award", "linhai", 2026),
        third.enterprise_id: ("quality_award_nomination", "linhai", 2026)}
    assert db.session.get(AwardEntry, first.id).honour_id == honours[first.enterprise_id].id
    assert run_task(celery_worker, app, after) == "[]"  # idempotent: nothing twice
    assert db.session.query(Honour).count() == 3


def test_open_objection_holds_finalisation_until_decided(app, celery_worker, award_round, make_entry, bureau,
                                                         make_user):
    first, second, third = published(award_round, make_entry, bureau)
    citizen = make_user("enterprise", display_name="张先生")
    objection = notice.file_objection(award_round.id, citizen, "该企业去年发生过质量投诉。", AFTER_CALL + dt.timedelta(days=1),
                                      entry_id=second.id, contact="138****0000")
    assert objection.filer_name == "张先生"
    other = notice.file_objection(award_round.id, citizen, "公示名单排序有疑问。", AFTER_CALL + dt.timedelta(days=2))
    after = notice.parse_now(award_round.notice_ends_at) + dt.timedelta(hours=1)
    with pytest.raises(ValidationFailed):
        notice.file_objection(award_round.id, citizen, "过期异议", after)
    assert run_task(celery_worker, app, after) == "[]"  # held by two open objections
    db.session.commit()  # end the read snapshot: see the worker's writes
    assert db.session.get(AwardRound, award_round.id).status == "notice"
    notice.decide_objection(other.id, bureau, False, "经核查，排序依据评审得分，异议不成立。", after)
    assert db.session.get(AwardRound, award_round.id).status == "notice"  # one still open
    notice.decide_objection(objection.id, bureau, True, "经核查投诉属实，取消拟表彰资格。", after)
    db.session.commit()  # end the read snapshot: see the worker's writes
    assert db.session.get(AwardRound, award_round.id).status == "finalised"
    assert {h.enterprise_id for h in db.session.query(Honour).all()} == {first.enterprise_id, third.enterprise_id}
    assert db.session.get(AwardEntry, second.id).excluded_reason.startswith("异议成立")
    assert db.session.get(Objection, objection.id).decided_by_id == bureau.id


def test_revocation_records_reason_and_evidence(award_round, make_entry, bureau):
    published(award_round, make_entry, bureau)
    notice.close_notices(notice.parse_now(award_round.notice_ends_at) + dt.timedelta(seconds=1))
    honour = db.session.query(Honour).filter_by(honour_type="quality_award").first()
    with pytest.raises(ValidationFailed):
        revocation.revoke(honour.id, bureau, reason="发生重大质量事故", evidence="", on=dt.date(2027, 5, 1))
    revoked = revocation.revoke(honour.id, bureau, reason="获奖后两年内发生重大质量事故",
                                evidence="临市监〔2027〕12号", on=dt.date(2027, 5, 1))
    assert revoked.revoked_on == dt.date(2027, 5, 1) and "临市监〔2027〕12号" in revoked.revoke_reason
    assert revoked.counts_on(dt.date(2027, 4, 30)) and not revoked.counts_on(dt.date(2027, 5, 2))
    with pytest.raises(Conflict):
        revocation.revoke(honour.id, bureau, reason="x", evidence="y", on=dt.date(2027, 5, 1))
