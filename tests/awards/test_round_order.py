"""A round's steps run in order (issue 12 item 10): the committee and the public notice wait until the call has
closed and every entry still in the running has finished its reviews, and the refusal says what is left."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.awards import committee, notice, progress, screening
from registry.awards.models import AwardRound
from registry.extensions import db
from registry.services.errors import Conflict
from tests.awards.conftest import NOW, eligible

AFTER_CALL = dt.datetime(2026, 4, 1, 2, 0, tzinfo=dt.timezone.utc)  # the call ran 1-31 March


def decide(round_id, bureau, decisions, now):
    """The committee's decision with a meeting that carries every ranked entry (the vote is tested elsewhere)."""
    members = [{"name": "主任", "role": "chair"}] + [{"name": f"委员{i}"} for i in range(4)]
    return committee.decide(round_id, bureau, decisions, now, met_on=dt.date(2026, 3, 1), members=members,
                            votes={e.id: (5, 0, 0) for e in committee.ranking(round_id)}, resolution="同意。")


def scored(entry, score: float):
    entry.review_scores = {"document": score, "site": score}
    entry.final_score = score
    db.session.commit()
    return entry


def test_committee_waits_for_the_call_to_close(award_round, make_entry, bureau):
    done = scored(eligible(make_entry(), bureau), 850)
    with pytest.raises(Conflict) as err:
        decide(award_round.id, bureau, {done.id: "quality_award"}, NOW)
    assert err.value.message == "暂不能审议：申报期至 2026-03-31 结束，申报截止后才能审议和公示。"
    assert db.session.get(AwardRound, award_round.id).status == "open"
    last_day = dt.datetime(2026, 3, 31, 15, 0, tzinfo=dt.timezone.utc)  # 23:00 on 31 March in Linhai: still open
    with pytest.raises(Conflict):
        decide(award_round.id, bureau, {done.id: "quality_award"}, last_day)
    decide(award_round.id, bureau, {done.id: "quality_award"}, AFTER_CALL)
    assert db.session.get(AwardRound, award_round.id).status == "reviewing"


def test_committee_and_notice_wait_for_every_review_and_say_what_is_left(award_round, make_entry, bureau):
    done = scored(eligible(make_entry(), bureau), 850)
    in_review = [eligible(make_entry(), bureau) for _ in range(2)]
    unchecked = make_entry()
    with pytest.raises(Conflict) as err:
        decide(award_round.id, bureau, {done.id: "quality_award"}, AFTER_CALL)
    assert err.value.message == "暂不能审议：还有 1 个参评组织未完成资格审查。还有 2 个参评组织未完成材料评审。"
    assert progress.unfinished(award_round) == [("eligibility", "资格审查", 1), ("document_review", "材料评审", 2)]

    # Entries that leave the running wait for nothing; the others finish their reviews.
    screening.run_check(unchecked.id, AFTER_CALL)
    screening.decide(unchecked.id, bureau, "ineligible", "测试：不符合条件", AFTER_CALL)
    for entry in in_review:
        scored(entry, 800)
    assert progress.outstanding(award_round, AFTER_CALL.date()) == []
    decide(award_round.id, bureau, {done.id: "quality_award"}, AFTER_CALL)

    with pytest.raises(Conflict) as err:  # a step the clock says is early is refused by the notice too
        notice.publish(award_round.id, bureau, NOW)
    assert "申报期至 2026-03-31 结束" in err.value.message
    assert db.session.get(AwardRound, award_round.id).status == "reviewing"
    notice.publish(award_round.id, bureau, AFTER_CALL)
    assert db.session.get(AwardRound, award_round.id).status == "notice"


def test_the_eligibility_decision_keeps_what_it_confirmed(award_round, make_entry, bureau):
    entry = make_entry()
    screening.run_check(entry.id, NOW)
    decided = screening.decide(entry.id, bureau, "ineligible", None, NOW)  # the check failed: no ISO 9001 etc.
    confirmed = decided.eligibility["confirmed"]
    assert [r["label"] for r in confirmed] == [r["label"] for r in decided.eligibility["results"]]
    assert all(r["evidence"] for r in confirmed)
    text = screening.confirmation_text(decided)
    assert text.startswith(f"资格审查结论：不符合申报条件。已核查 {len(confirmed)} 项条件（基准日 2026-03-10）：")
    assert "管理体系认证：不通过（" in text
