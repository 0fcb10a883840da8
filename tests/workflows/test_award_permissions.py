"""Every (stage, action, role) of the government quality award definition (政府质量奖, v3): each allowed one succeeds,
each forbidden one is refused and changes nothing. The award's guards read its own tables, so before each attempt
the entry and round are put in the state the action's guard asks for (the permission is what is under test)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import update

from registry import clock
from registry.awards import files, flow, rounds
from registry.awards.gbt19580 import MAX_POINTS
from registry.awards.models import AwardEntry, AwardRound
from registry.database import begin_write
from registry.extensions import db
from registry.models import Honour
from tests.factories import UserFactory
from tests.workflows.conftest import place
from tests.workflows.permission_table import assert_table_covers, cases, try_every_persona
from workflows import definitions, engine
from workflows.models import Application, Assignment

T, B, A, S = "town", "bureau", "applicant", "system"
REVIEWS = ("document_review", "presentation", "site_review")
# Written from domain.md section 4 and issue 15, independently of the definition: who may take each action where.
EXPECTED = {
    ("apply", "submit"): {A}, ("apply", "withdraw"): {A},
    **{("recommend", a): {T} for a in ("recommend", "return", "reject")},
    **{("eligibility", a): {B} for a in ("pass_eligibility", "return", "reject")},
    **{(st, "resubmit"): {A} for st in ("recommend", "eligibility")},
    **{(st, "withdraw"): {A} for st in ("recommend", "eligibility", *REVIEWS, "shortlist", "deliberation")},
    ("document_review", "complete_document_review"): {B, S}, ("presentation", "complete_presentation"): {B, S},
    ("site_review", "complete_site_review"): {B, S}, **{(st, "reject"): {B} for st in REVIEWS},
    ("shortlist", "shortlisted"): {B, S}, ("shortlist", "not_shortlisted"): {B, S},
    ("deliberation", "to_notice"): {B, S}, ("deliberation", "not_selected"): {B, S},
    ("notice", "notice_closed"): {B, S}, ("notice", "objection_upheld"): {B, S},
    ("approval", "approve"): {B, S}, ("approval", "not_won"): {B, S},
    ("approved", "revoke"): {B},
}
# The v2 definition, kept for applications started under it: its 审定 only approves (no upward outcome).
EXPECTED_V2 = {k: v for k, v in EXPECTED.items() if k != ("approval", "not_won")}
# The v1 definition, kept for applications started under it: no shortlist, no 审定 (its notice approves).
EXPECTED_V1 = {**{k: v for k, v in EXPECTED_V2.items() if k[0] not in ("shortlist", "approval", "notice")},
               ("notice", "approve"): {B, S}, ("notice", "objection_upheld"): {B, S}}
PERSONAS = ("applicant", "other_applicant", "town", "other_town", "bureau", "admin", "expert", "stranger_expert",
            "system")
RELATION = {"applicant": A, "town": T, "bureau": B, "admin": B, "system": S}
SEES_NOTHING = ("other_applicant", "other_town", "stranger_expert")  # not visible to them: NotFound
PAYLOAD = {"revoke": {"revoke_reason": "获奖后两年内发生重大质量事故", "evidence": "临市监〔2027〕12号",
                      "revoked_on": "2027-05-01"}}


@pytest.mark.parametrize("version,expected", [(1, EXPECTED_V1), (2, EXPECTED_V2), (3, EXPECTED)])
def test_expected_table_covers_the_definition(version, expected):
    assert_table_covers("quality_award", version, expected)
    assert definitions.get("quality_award").version == 3  # new applications start under v3


@pytest.fixture
def award(cast):
    """A draft v2 award application of the cast's enterprise in an open round, ready to submit, with an assigned
    expert (the ``expert`` relation) and one who is not."""
    bureau = cast.bureau
    today = clock.today()
    found = rounds.open_round(bureau, name="第五届临海市政府质量奖", level="linhai", year=today.year,
                              call_opens_on=today - dt.timedelta(days=3), call_closes_on=today + dt.timedelta(days=30),
                              quotas={"quality_award": 2, "quality_award_nomination": 1}, issuer="临海市人民政府")
    application = flow.start_application(cast.applicant, found.id)
    application.data = {**application.data, "declaration": True,
                        "self_assessment": {k: round(v * 0.8, 1) for k, v in MAX_POINTS.items()}}
    files.store(application.id, "report", "apply", "自评报告.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"), cast.applicant.id,
                clock.now())
    db.session.add(Assignment(application_id=application.id, user_id=cast.expert.id, stage=None, role="member",
                              active=True, declared_no_conflict_at=clock.now()))
    db.session.commit()
    return application.id, found.id, UserFactory(role="expert")


def _entry(application_id: int, round_id: int, enterprise_id: int) -> AwardEntry:
    entry = db.session.query(AwardEntry).filter_by(application_id=application_id).one_or_none()
    if entry is None:
        entry = AwardEntry(round_id=round_id, enterprise_id=enterprise_id, application_id=application_id,
                           self_assessment={}, eligibility_decision="eligible")
        db.session.add(entry)
        db.session.flush()
    return entry


def _prepare(action: str, application_id: int, round_id: int, enterprise_id: int) -> None:
    """Put the entry and round where ``action``'s guard lets it through (the submit creates its own entry)."""
    if action == "submit":
        return
    begin_write()  # reads then writes: on SQLite, take the lock first (the session's worker may be committing)
    entry = _entry(application_id, round_id, enterprise_id)
    round_status = {"to_notice": "notice", "not_selected": "notice", "notice_closed": "approval",
                    "objection_upheld": "approval"}.get(action, "reviewing")
    db.session.execute(update(AwardRound).where(AwardRound.id == round_id).values(status=round_status))
    entry.eligibility_decision = "eligible"
    entry.review_scores = {"document": 820.0, "site": 860.0}
    entry.shortlisted = {"not_shortlisted": False}.get(action, True)
    entry.proposed = None if action == "not_selected" else "quality_award"
    entry.excluded_reason = "异议成立：投诉属实" if action == "objection_upheld" else None
    entry.outcome = "not_won" if action == "not_won" else None
    if action in ("approve", "revoke"):  # a fresh honour each time (a revoked one cannot be revoked again)
        honour = Honour(enterprise_id=enterprise_id, honour_type="quality_award", level="linhai", year=2026,
                        title="第五届临海市政府质量奖", source_application_id=application_id)
        db.session.add(honour)
        db.session.flush()
        entry.honour_id = honour.id
    else:
        entry.honour_id = None
    db.session.commit()


@pytest.mark.parametrize("stage,action,status", cases("quality_award", 3))
def test_every_stage_action_role(cast, award, stage, action, status):
    application_id, round_id, stranger_expert = award
    people = {"stranger_expert": stranger_expert}

    def reset(_persona):
        place(application_id, stage, status)
        _prepare(action, application_id, round_id, cast.enterprise.id)

    def forget_the_entry():
        if action == "submit":  # only one submission enters the round; the next attempt starts afresh
            db.session.query(AwardEntry).filter_by(application_id=application_id).delete()
            db.session.commit()

    try_every_persona(application_id, action, EXPECTED[(stage, action)], personas=PERSONAS, relation=RELATION,
                      unseen=SEES_NOTHING, reset=reset, payload=lambda: PAYLOAD.get(action, {}),
                      user_of=lambda p: None if p == "system" else people.get(p) or getattr(cast, p),
                      after_success=forget_the_entry)


def test_allowed_actions_match_the_engine(cast, award):
    application_id, round_id, stranger_expert = award
    place(application_id, "shortlist", "in_progress")
    _prepare("shortlisted", application_id, round_id, cast.enterprise.id)
    application = db.session.get(Application, application_id)
    assert [a.name for a in engine.allowed_actions(application, cast.bureau)] == ["shortlisted"]
    assert [a.name for a in engine.allowed_actions(application, cast.applicant)] == ["withdraw"]
    assert engine.allowed_actions(application, cast.expert) == []
    assert engine.allowed_actions(application, cast.town) == []
