"""Late applications, the committee's vote within quota, public notice with and without objections closed by a
REAL worker under an injected clock, the government's decision (审定) that alone puts the Honour on the winner's
record, public and paper objections investigated and answered, and revocation."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from registry.awards import committee, notice, objections, revocation, rounds
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


MEMBERS = [{"name": "陈市长", "affiliation": "临海市人民政府", "role": "chair"}] + [
    {"name": f"委员{i}", "affiliation": "临海市质量强市工作领导小组", "role": "member"} for i in range(6)]


def decide(round_id, bureau, decisions, votes=None, members=MEMBERS, **kw):
    """The committee's meeting: seven members present, every ranked entry carried 6-1-0 unless told."""
    votes = votes or {e.id: (6, 1, 0) for e in committee.ranking(round_id)}
    return committee.decide(round_id, bureau, decisions, AFTER_CALL, met_on=dt.date(2026, 4, 1), members=members,
                            votes=votes, resolution=kw.get("resolution", "经表决，同意列入拟表彰名单。"))


def test_committee_ranks_and_stays_within_quota(award_round, make_entry, bureau):
    a, b, c, d = reviewed(make_entry, bureau, [820, 880, 790, 850])
    suggestion = committee.suggestion(award_round.id)
    assert suggestion == {b.id: "quality_award", d.id: "quality_award", a.id: "quality_award_nomination", c.id: None}
    with pytest.raises(ValidationFailed) as err:
        decide(award_round.id, bureau, {a.id: "quality_award", b.id: "quality_award", d.id: "quality_award"})
    assert "quota_quality_award" in err.value.errors
    decide(award_round.id, bureau, suggestion)
    assert [(e.id, e.rank) for e in committee.proposed(award_round.id)] == [(b.id, 1), (d.id, 2), (a.id, 3)]
    assert rounds.funnel(award_round.id) == {"applied": 4, "recommended": 4, "eligible": 4, "reviewed": 4,
                                             "proposed": 3, "awarded": 0}


def test_committee_records_members_votes_and_resolution(award_round, make_entry, bureau):
    a, b, c, d = reviewed(make_entry, bureau, [820, 880, 790, 850])
    suggestion = committee.suggestion(award_round.id)
    carried = {e: (6, 1, 0) for e in (a.id, b.id, c.id, d.id)}
    # d proposed with 3 of 7 for: not a majority of those present
    with pytest.raises(ValidationFailed) as err:
        decide(award_round.id, bureau, suggestion, votes={**carried, d.id: (3, 2, 2)})
    assert list(err.value.errors) == [f"entry_{d.id}"]
    # 4 of 7 is a majority; 4 of 8 is not (every member present votes on every entry)
    decide(award_round.id, bureau, suggestion, votes={**carried, d.id: (4, 2, 1)})
    with pytest.raises(ValidationFailed) as err:
        decide(award_round.id, bureau, suggestion, votes={**carried, d.id: (4, 2, 1)},
               members=MEMBERS + [{"name": "委员7"}])
    assert "votes_" + str(a.id) in err.value.errors  # 6+1+0 is not the 8 present
    for bad in (MEMBERS[1:], MEMBERS[:4], MEMBERS + [{"name": "副主任", "role": "chair"}]):  # no chair, too few, two
        with pytest.raises(ValidationFailed) as err:
            decide(award_round.id, bureau, suggestion, members=bad)
        assert "members" in err.value.errors
    with pytest.raises(ValidationFailed) as err:
        decide(award_round.id, bureau, suggestion, votes={**carried, c.id: ("x", 1, 0)}, resolution=" ")
    assert {f"votes_{c.id}", "resolution"} <= set(err.value.errors)
    db.session.refresh(award_round)
    assert award_round.committee_resolution == "经表决，同意列入拟表彰名单。"
    assert award_round.committee_met_on == dt.date(2026, 4, 1)
    assert [(m.name, m.role) for m in committee.members_of(award_round.id)][:2] == [("陈市长", "chair"), ("委员0", "member")]
    assert (db.session.get(AwardEntry, d.id).votes_for, db.session.get(AwardEntry, d.id).votes_abstain) == (4, 1)


def published(award_round, make_entry, bureau):
    entries = reviewed(make_entry, bureau, [880, 850, 820])
    decide(award_round.id, bureau, committee.suggestion(award_round.id))
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
    assert closed.status == "approval"  # closed clear: waits for the city government's decision
    assert db.session.query(Honour).count() == 0  # no honour before 审定
    assert run_task(celery_worker, app, after) == "[]"  # idempotent
    decided = dt.date(2026, 4, 15)
    with pytest.raises(ValidationFailed) as err:
        notice.approve(award_round.id, bureau, number=" ", decided_on=dt.date(2026, 4, 7), now=after)
    assert set(err.value.errors) == {"number", "decided_on"}  # no 文号; a date inside the notice window
    notice.approve(award_round.id, bureau, number="临政发〔2026〕12号", decided_on=decided,
                   now=after + dt.timedelta(days=10))
    with pytest.raises(Conflict):
        notice.approve(award_round.id, bureau, number="临政发〔2026〕13号", decided_on=decided,
                       now=after + dt.timedelta(days=10))
    closed = db.session.get(AwardRound, award_round.id)
    assert (closed.status, closed.decision_number, closed.decision_date) == ("finalised", "临政发〔2026〕12号", decided)
    honours = {h.enterprise_id: h for h in db.session.query(Honour).all()}
    assert {h.awarded_on for h in honours.values()} == {decided}
    assert all("临政发〔2026〕12号" in h.title for h in honours.values())
    assert {k: (h.honour_type, h.level, h.year) for k, h in honours.items()} == {
        first.enterprise_id: ("quality_award", "linhai", 2026), second.enterprise_id: ("quality_award", "linhai", 2026),
        third.enterprise_id: ("quality_award_nomination", "linhai", 2026)}
    assert db.session.get(AwardEntry, first.id).honour_id == honours[first.enterprise_id].id
    assert run_task(celery_worker, app, after) == "[]"  # nothing twice
    assert db.session.query(Honour).count() == 3


def test_open_objection_holds_the_round_until_investigated_and_answered(app, celery_worker, award_round, make_entry,
                                                                         bureau):
    first, second, third = published(award_round, make_entry, bureau)
    objection = objections.file_public(award_round.id, name="张\x00先生", phone="138 0576 0000",
                                       text="该企业去年发生过质量投诉。\x1b", now=AFTER_CALL + dt.timedelta(days=1),
                                       entry_id=second.id)
    assert (objection.filer_name, objection.phone, objection.text, objection.filed_by_id, objection.source) == (
        "张先生", "13805760000", "该企业去年发生过质量投诉。", None, "online")  # no account; controls cleaned
    other = objections.file_public(award_round.id, name="李女士", phone="0576-85123456", text="公示名单排序有疑问。",
                                   now=AFTER_CALL + dt.timedelta(days=2))
    after = notice.parse_now(award_round.notice_ends_at) + dt.timedelta(hours=1)
    with pytest.raises(ValidationFailed):
        objections.file_public(award_round.id, name="王五", phone="13800000000", text="过期异议", now=after)
    with pytest.raises(ValidationFailed) as err:
        objections.file_public(award_round.id, name="", phone="12345", text=" ", now=AFTER_CALL)
    assert set(err.value.errors) == {"name", "phone", "text"}
    assert run_task(celery_worker, app, after) == "[]"  # held by two open objections
    db.session.commit()  # end the read snapshot: see the worker's writes
    assert db.session.get(AwardRound, award_round.id).status == "notice"
    with pytest.raises(Conflict):  # the round refuses to finish with an open objection
        notice.approve(award_round.id, bureau, number="临政发〔2026〕12号", decided_on=dt.date(2026, 4, 10), now=after)
    with pytest.raises(ValidationFailed) as err:
        objections.decide(other.id, bureau, upheld=False, investigation="", answer="", now=after)
    assert set(err.value.errors) == {"investigation", "reason"}
    objections.decide(other.id, bureau, upheld=False, investigation="调阅评审记录，排序依据综合得分。",
                      answer="经核查，排序依据评审得分，异议不成立。", now=after)
    assert db.session.get(AwardRound, award_round.id).status == "notice"  # one still open
    objections.decide(objection.id, bureau, upheld=True, investigation="向 12315 调取投诉记录，投诉属实。",
                      answer="经核查投诉属实，取消拟表彰资格。", now=after)
    db.session.commit()
    assert db.session.get(AwardRound, award_round.id).status == "approval"
    # a letter posted within the window arrives late: entered on paper, it holds the round again
    paper = objections.enter_paper(award_round.id, bureau, name="赵六", phone="13900000000", text="来信反映……",
                                   received_on=dt.date(2026, 4, 8), now=after, entry_id=first.id)
    assert (paper.source, paper.recorded_by_id) == ("paper", bureau.id)
    assert db.session.get(AwardRound, award_round.id).status == "notice"
    with pytest.raises(ValidationFailed) as err:
        objections.enter_paper(award_round.id, bureau, name="赵六", phone="13900000000", text="来信",
                               received_on=dt.date(2026, 4, 9), now=after)
    assert "received_on" in err.value.errors  # received after the window
    objections.decide(paper.id, bureau, upheld=False, investigation="核实无此事。", answer="异议不成立。", now=after)
    assert db.session.get(AwardRound, award_round.id).status == "approval"
    notice.approve(award_round.id, bureau, number="临政发〔2026〕12号", decided_on=dt.date(2026, 4, 10),
                   now=after + dt.timedelta(days=5))
    assert {h.enterprise_id for h in db.session.query(Honour).all()} == {first.enterprise_id, third.enterprise_id}
    assert db.session.get(AwardEntry, second.id).excluded_reason.startswith("异议成立")
    assert db.session.get(Objection, objection.id).decided_by_id == bureau.id
    assert db.session.get(Objection, objection.id).investigation == "向 12315 调取投诉记录，投诉属实。"


def test_revocation_records_reason_and_evidence(award_round, make_entry, bureau):
    published(award_round, make_entry, bureau)
    after = notice.parse_now(award_round.notice_ends_at) + dt.timedelta(seconds=1)
    notice.close_notices(after)
    notice.approve(award_round.id, bureau, number="临政发〔2026〕12号", decided_on=dt.date(2026, 4, 10),
                   now=after + dt.timedelta(days=5))
    honour = db.session.query(Honour).filter_by(honour_type="quality_award").first()
    with pytest.raises(ValidationFailed):
        revocation.revoke(honour.id, bureau, reason="发生重大质量事故", evidence="", on=dt.date(2027, 5, 1))
    revoked = revocation.revoke(honour.id, bureau, reason="获奖后两年内发生重大质量事故",
                                evidence="临市监〔2027〕12号", on=dt.date(2027, 5, 1))
    assert revoked.revoked_on == dt.date(2027, 5, 1) and "临市监〔2027〕12号" in revoked.revoke_reason
    assert revoked.counts_on(dt.date(2027, 4, 30)) and not revoked.counts_on(dt.date(2027, 5, 2))
    with pytest.raises(Conflict):
        revocation.revoke(honour.id, bureau, reason="x", evidence="y", on=dt.date(2027, 5, 1))
