"""Award kinds per level and rounds that recommend upward (issue 15 item 9): a round declares the kinds its level
has; an entry is for one kind and the committee proposes only a kind it may be granted; above 临海 the county
recommends, then records the higher body's outcome in the 审定 step, and only a win becomes an Honour."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.awards import committee, decision, kinds, notice, outcome, rounds
from registry.awards.models import AwardEntry, AwardRound
from registry.extensions import db
from registry.models import Honour
from registry.services.errors import Conflict, ValidationFailed
from tests.awards.conftest import NOW, eligible, self_assessment
from tests.awards.test_committee_notice import AFTER_CALL, decide
from tests.factories import EnterpriseFactory

CALL = {"call_opens_on": dt.date(2026, 3, 1), "call_closes_on": dt.date(2026, 3, 31)}
AFTER_NOTICE = AFTER_CALL + dt.timedelta(days=9)


def open_round(bureau, level="linhai", **quotas):
    return rounds.open_round(bureau, name=f"{level} 2026", level=level, year=2026, quotas=quotas,
                             issuer="颁奖机关", **CALL)


def reviewed_entry(found, bureau, kind, score):
    entry = rounds.add_entry(found.id, EnterpriseFactory().id, self_assessment=self_assessment(), declaration=True,
                             now=NOW, kind=kind)
    eligible(entry, bureau)
    entry.review_scores, entry.final_score = {"document": score, "site": score}, score
    db.session.commit()
    return entry


def test_a_round_offers_the_kinds_its_level_has_and_its_mode_follows_the_level(bureau):
    with pytest.raises(ValidationFailed) as err:  # 组织奖 only at provincial level
        open_round(bureau, quality_award=1, quality_award_organisation=1)
    assert "组织奖" in err.value.errors["quotas"][0]
    with pytest.raises(ValidationFailed):  # 中国质量奖: award and 提名奖 only
        open_round(bureau, "national", quality_award=1, quality_innovation_award=1)
    with pytest.raises(ValidationFailed) as err:  # 提名奖 goes to entries for the award
        open_round(bureau, quality_award_nomination=2)
    assert "提名奖" in err.value.errors["quotas"][0]
    with pytest.raises(ValidationFailed):
        open_round(bureau)
    linhai = open_round(bureau, quality_award=2, quality_award_nomination=1, quality_innovation_award=1)
    assert (linhai.mode, linhai.award_types) == (
        "award", ["quality_award", "quality_award_nomination", "quality_innovation_award"])
    provincial = open_round(bureau, "provincial", quality_award=1, quality_award_organisation=1)
    assert (provincial.mode, provincial.award_types) == ("recommend", ["quality_award", "quality_award_organisation"])
    assert {open_round(bureau, lvl, quality_award=1).mode for lvl in ("taizhou", "national")} == {"recommend"}
    innovation_only = open_round(bureau, quality_innovation_award=1)
    assert kinds.entry_kinds(innovation_only.award_types) == ["quality_innovation_award"]


def test_an_entry_is_for_a_kind_the_round_awards(bureau):
    found = open_round(bureau, quality_award=1, quality_award_nomination=1)
    firm = EnterpriseFactory()
    for kind in ("quality_innovation_award", "quality_award_nomination", "anything"):
        with pytest.raises(ValidationFailed) as err:
            rounds.add_entry(found.id, firm.id, self_assessment=self_assessment(), declaration=True, now=NOW,
                             kind=kind)
        assert "kind" in err.value.errors
    assert rounds.add_entry(found.id, firm.id, self_assessment=self_assessment(), declaration=True,
                            now=NOW).kind == "quality_award"  # no kind given: the 质量奖


def test_the_committee_proposes_per_kind_and_only_a_kind_the_entry_may_get(bureau):
    found = open_round(bureau, quality_award=1, quality_award_nomination=1, quality_innovation_award=1)
    best, second, third = (reviewed_entry(found, bureau, "quality_award", s) for s in (900, 860, 800))
    innovator = reviewed_entry(found, bureau, "quality_innovation_award", 880)
    late_innovator = reviewed_entry(found, bureau, "quality_innovation_award", 700)
    assert committee.suggestion(found.id) == {
        best.id: "quality_award", innovator.id: "quality_innovation_award", second.id: "quality_award_nomination",
        third.id: None, late_innovator.id: None}
    with pytest.raises(ValidationFailed) as err:  # an innovation entry cannot take the 提名奖
        decide(found.id, bureau, {best.id: "quality_award", innovator.id: "quality_award_nomination"})
    assert list(err.value.errors) == [f"entry_{innovator.id}"]
    with pytest.raises(ValidationFailed) as err:  # nor an award entry the innovation award
        decide(found.id, bureau, {best.id: "quality_award", second.id: "quality_innovation_award"})
    assert list(err.value.errors) == [f"entry_{second.id}"]
    decide(found.id, bureau, committee.suggestion(found.id))
    assert {e.id: e.proposed for e in committee.proposed(found.id)} == {
        best.id: "quality_award", innovator.id: "quality_innovation_award", second.id: "quality_award_nomination"}


def to_approval(found, bureau, decisions=None):
    decide(found.id, bureau, decisions or committee.suggestion(found.id))
    notice.publish(found.id, bureau, AFTER_CALL)
    assert notice.close_notices(AFTER_NOTICE) == [found.id]
    db.session.refresh(found)


def test_the_government_s_decision_grants_the_proposed_kind(bureau):
    found = open_round(bureau, quality_award=1, quality_innovation_award=1)
    winner = reviewed_entry(found, bureau, "quality_award", 900)
    innovator = reviewed_entry(found, bureau, "quality_innovation_award", 850)
    to_approval(found, bureau)
    with pytest.raises(Conflict):  # a round deciding its own award has no upward outcome
        outcome.record(found.id, bureau, {}, number="x", decided_on=dt.date(2026, 4, 10), now=AFTER_NOTICE)
    notice.approve(found.id, bureau, number="临政发〔2026〕12号", decided_on=dt.date(2026, 4, 10), now=AFTER_NOTICE)
    got = {h.enterprise_id: (h.honour_type, h.level) for h in db.session.query(Honour)}
    assert got == {winner.enterprise_id: ("quality_award", "linhai"),
                   innovator.enterprise_id: ("quality_innovation_award", "linhai")}
    assert db.session.get(AwardEntry, winner.id).outcome == "won"


def test_a_recommending_round_records_the_higher_body_s_outcome_and_honours_only_a_win(bureau):
    found = open_round(bureau, "taizhou", quality_award=2, quality_innovation_award=1)
    found.issuer = "台州市人民政府"
    won_nomination, not_won = (reviewed_entry(found, bureau, "quality_award", s) for s in (900, 880))
    innovator = reviewed_entry(found, bureau, "quality_innovation_award", 850)
    with pytest.raises(Conflict):  # before the notice
        outcome.record(found.id, bureau, {}, number="台政发〔2026〕8号", decided_on=dt.date(2026, 4, 20),
                       now=AFTER_NOTICE)
    to_approval(found, bureau)
    assert [e.id for e in outcome.recommended(found.id)] == [won_nomination.id, not_won.id, innovator.id]
    with pytest.raises(Conflict):  # the county does not approve an award above its level
        notice.approve(found.id, bureau, number="台政发〔2026〕8号", decided_on=dt.date(2026, 4, 12),
                       now=AFTER_NOTICE)
    results = {won_nomination.id: "quality_award_nomination", not_won.id: "not_won",
               innovator.id: "quality_innovation_award"}
    later = AFTER_NOTICE + dt.timedelta(days=30)
    with pytest.raises(ValidationFailed) as err:  # every recommended entry needs a result it may have
        outcome.record(found.id, bureau, {**results, not_won.id: None, innovator.id: "quality_award"},
                       number=" ", decided_on=dt.date(2026, 5, 8), now=later)
    assert set(err.value.errors) == {f"outcome_{not_won.id}", f"outcome_{innovator.id}", "number"}
    assert db.session.query(Honour).count() == 0
    outcome.record(found.id, bureau, results, number="台政发〔2026〕8号", decided_on=dt.date(2026, 5, 8), now=later)
    db.session.refresh(found)
    assert (found.status, found.decision_number, found.decision_date) == (
        "finalised", "台政发〔2026〕8号", dt.date(2026, 5, 8))
    got = {h.enterprise_id: (h.honour_type, h.level, h.issuer, h.awarded_on) for h in db.session.query(Honour)}
    assert got == {won_nomination.enterprise_id: ("quality_award_nomination", "taizhou", "台州市人民政府",
                                                  dt.date(2026, 5, 8)),
                   innovator.enterprise_id: ("quality_innovation_award", "taizhou", "台州市人民政府",
                                             dt.date(2026, 5, 8))}
    assert [(db.session.get(AwardEntry, e.id).outcome, bool(db.session.get(AwardEntry, e.id).honour_id))
            for e in (won_nomination, not_won, innovator)] == [("won", True), ("not_won", False), ("won", True)]
    with pytest.raises(Conflict):  # recorded once
        outcome.record(found.id, bureau, results, number="台政发〔2026〕9号", decided_on=dt.date(2026, 5, 8), now=later)


def test_the_applications_follow_the_recorded_outcome(bureau, make_user):
    """quality_award v3: in the 审定 step a win is approved (its Honour recorded), a recommendation not won ends."""
    from registry import clock
    from registry.awards import flow
    from tests.workflows.conftest import place
    from workflows.models import Application

    today, now = clock.today(), clock.now()
    found = rounds.open_round(bureau, name="台州市政府质量奖（临海推荐）", level="taizhou", year=today.year,
                              call_opens_on=today - dt.timedelta(days=3), call_closes_on=today + dt.timedelta(days=30),
                              quotas={"quality_award": 2}, issuer="台州市人民政府")
    apps = []
    for rank in (1, 2):
        applicant = make_user("enterprise")
        application = flow.start_application(applicant, found.id)
        assert application.definition_version == 3
        db.session.add(AwardEntry(round_id=found.id, enterprise_id=applicant.enterprise_id, rank=rank,
                                  application_id=application.id, proposed="quality_award",
                                  eligibility_decision="eligible"))
        db.session.commit()
        place(application.id, "approval", "in_progress")
        apps.append(application.id)
    found.status, found.notice_ends_at = "approval", now - dt.timedelta(days=2)
    db.session.commit()
    assert flow.advance_round(found.id, now) == 0  # nothing recorded yet: both wait
    won, lost = (e.id for e in outcome.recommended(found.id))
    outcome.record(found.id, bureau, {won: "quality_award", lost: "not_won"}, number="台政发〔2026〕8号",
                   decided_on=today, now=now)
    assert flow.advance_round(found.id, now) == 2
    db.session.expire_all()
    assert [(a.stage, a.status) for a in (db.session.get(Application, i) for i in apps)] == [
        ("approved", "done"), ("approval", "rejected")]


def test_a_decision_recorded_by_someone_else_first_is_refused_and_grants_nothing_twice(bureau):
    """Two officers record the 审定 at once: both pass the readiness check, the round's compare-and-set lets one
    through; the other is a Conflict that writes nothing (no second honour, the first 文号 kept)."""
    found = open_round(bureau, quality_award=1)
    winner = reviewed_entry(found, bureau, "quality_award", 900)
    to_approval(found, bureau)
    ready_for_both = decision.ready(found.id, bureau, kinds.AWARD)
    notice.approve(found.id, bureau, number="临政发〔2026〕12号", decided_on=dt.date(2026, 4, 10), now=AFTER_NOTICE)
    with pytest.raises(Conflict, match="已被他人处理"):
        decision.finalise(ready_for_both, bureau, "临政发〔2026〕13号", dt.date(2026, 4, 11), AFTER_NOTICE, "x")
    db.session.rollback()
    assert db.session.get(AwardRound, found.id).decision_number == "临政发〔2026〕12号"
    assert [h.enterprise_id for h in db.session.query(Honour)] == [winner.enterprise_id]
    with pytest.raises(Conflict):  # asked again later: the round no longer waits for a decision
        notice.approve(found.id, bureau, number="临政发〔2026〕14号", decided_on=dt.date(2026, 4, 12),
                       now=AFTER_NOTICE)


def test_an_outcome_that_is_no_kind_is_refused_without_echoing_it(bureau):
    found = open_round(bureau, "taizhou", quality_award=1)
    entry = reviewed_entry(found, bureau, "quality_award", 900)
    to_approval(found, bureau)
    for junk in ("<b>x</b>\x07", "quality_award_organisation", "anything"):
        with pytest.raises(ValidationFailed) as err:
            outcome.record(found.id, bureau, {entry.id: junk}, number="台政发〔2026〕8号",
                           decided_on=dt.date(2026, 4, 20), now=AFTER_NOTICE + dt.timedelta(days=30))
        message = err.value.errors[f"outcome_{entry.id}"][0]
        assert junk not in message and "不能" in message, message
    assert db.session.query(Honour).count() == 0
