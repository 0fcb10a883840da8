"""The shortlist after the document review (入围): the round's minimum document score and maximum count bind the
bureau's choice; a refused list changes nothing, in the service and from the round page."""
from __future__ import annotations

import datetime as dt

import pytest

from registry.awards import rounds, shortlist
from registry.awards.models import AwardEntry, AwardRound
from registry.extensions import db
from registry.services.errors import Conflict, ValidationFailed
from tests.awards.conftest import NOW, eligible, self_assessment
from tests.factories import EnterpriseFactory

AFTER_REVIEW = dt.datetime(2026, 4, 20, 2, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def limited(bureau):
    """A round shortlisting at most 2 entries scoring at least 700, with four reviewed entries (850, 800, 760, 650)."""
    found = rounds.open_round(bureau, name="第五届临海市政府质量奖", level="linhai", year=2026,
                              call_opens_on=dt.date(2026, 3, 1), call_closes_on=dt.date(2026, 3, 31),
                              quotas={"quality_award": 2}, shortlist_min_score=700, shortlist_max=2)
    entries = []
    for score in (850, 800, 760, 650):
        entry = rounds.add_entry(found.id, EnterpriseFactory().id, self_assessment=self_assessment(),
                                 declaration=True, now=NOW)
        eligible(entry, bureau)
        entry.review_scores = {"document": score}
        entries.append(entry)
    db.session.commit()
    return found, entries


def untouched(found, entries):
    db.session.expire_all()
    return (db.session.get(AwardRound, found.id).shortlisted_at is None
            and all(db.session.get(AwardEntry, e.id).shortlisted is None for e in entries))


def test_the_default_is_the_best_at_or_above_the_minimum_up_to_the_maximum(limited):
    found, (a, b, c, d) = limited
    assert [e.id for e in shortlist.candidates(found.id)] == [a.id, b.id, c.id, d.id]
    assert shortlist.suggestion(found.id) == {a.id, b.id}
    assert [shortlist.qualifies(found, e) for e in (a, b, c, d)] == [True, True, True, False]


def test_an_entry_below_the_minimum_score_is_refused(limited, bureau):
    found, (a, b, c, d) = limited
    with pytest.raises(ValidationFailed) as err:
        shortlist.decide(found.id, bureau, {a.id, d.id}, AFTER_REVIEW)
    assert list(err.value.errors) == [f"entry_{d.id}"]
    assert "650" in err.value.errors[f"entry_{d.id}"][0] and "700" in err.value.errors[f"entry_{d.id}"][0]
    assert untouched(found, limited[1])


def test_more_than_the_maximum_count_is_refused(limited, bureau):
    found, (a, b, c, d) = limited
    with pytest.raises(ValidationFailed) as err:
        shortlist.decide(found.id, bureau, {a.id, b.id, c.id}, AFTER_REVIEW)  # all three reach the minimum
    assert list(err.value.errors) == ["shortlist_max"]
    assert "2" in err.value.errors["shortlist_max"][0] and "3" in err.value.errors["shortlist_max"][0]
    assert untouched(found, limited[1])
    # at the maximum, and any qualifying choice (not only the two best), is accepted once
    shortlist.decide(found.id, bureau, {a.id, c.id}, AFTER_REVIEW)
    db.session.expire_all()
    assert [db.session.get(AwardEntry, e.id).shortlisted for e in (a, b, c, d)] == [True, False, True, False]
    with pytest.raises(Conflict):
        shortlist.decide(found.id, bureau, {a.id}, AFTER_REVIEW)


def test_no_limits_set_lets_every_candidate_through(bureau, award_round, make_entry):
    entries = []
    for score in (500, 900, 300):
        entry = eligible(make_entry(), bureau)
        entry.review_scores = {"document": score}
        entries.append(entry)
    db.session.commit()
    assert shortlist.suggestion(award_round.id) == {e.id for e in entries}
    shortlist.decide(award_round.id, bureau, {e.id for e in entries}, AFTER_REVIEW)


def test_the_round_page_flashes_each_refusal_and_keeps_the_list_open(client, auth, limited, bureau):
    found, (a, b, c, d) = limited
    auth.login(bureau)
    post = f"/awards/rounds/{found.id}/shortlist"
    for chosen, words in (((a.id, d.id), "低于入围最低分"), ((a.id, b.id, c.id), "入围不超过 2 个，已选 3 个")):
        answer = client.post(post, data={"csrf_token": auth.csrf(), "shortlist": [str(i) for i in chosen]})
        assert answer.status_code == 302 and answer.headers["Location"].endswith("#shortlist")
        assert words in client.get(f"/awards/rounds/{found.id}").get_data(as_text=True)
        assert untouched(found, limited[1])
    page = client.get(f"/awards/rounds/{found.id}").get_data(as_text=True)
    assert "确定入围名单" in page
