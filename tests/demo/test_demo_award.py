"""Demo award: a pool, an open round with deadlines, nominations at the first stages, the first demo expert seated."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.awards import panels
from registry.awards.models import AwardEntry, AwardRound, Expert, PanelDraw
from registry.demo import seed_demo
from registry.demo.applications import seed_demo_applications
from registry.demo.awards import seed_demo_award
from registry.extensions import db
from registry.models import Honour, User
from workflows.models import Application


def test_demo_award_gives_each_account_work_once():
    seed_demo()
    seed_demo_applications()
    assert seed_demo_award() == {"experts": 24, "rounds": 3, "nominations": 3, "finished_rounds": 1,
                                 "honours_granted": 2, "recommended_rounds": 1, "upward_honours": 2}
    found = db.session.scalar(select(AwardRound).where(AwardRound.status == "open"))
    assert set(found.stage_deadlines) == {
        "recommend", "eligibility", "document_review", "site_review", "deliberation"}
    stages = sorted(db.session.scalars(select(Application.stage).join(
        AwardEntry, AwardEntry.application_id == Application.id).where(AwardEntry.round_id == found.id)))
    assert stages == ["document_review", "eligibility", "recommend"]
    # This round's first nomination is for the 质量创新奖.
    assert sorted(db.session.scalars(select(AwardEntry.kind).where(AwardEntry.round_id == found.id))) == [
        "quality_award", "quality_award", "quality_innovation_award"]
    # Last year's round ran to the end: two honoured (approved), the third not selected.
    done = db.session.scalar(select(AwardRound).where(AwardRound.status == "finalised", AwardRound.mode == "award"))
    outcomes = sorted(db.session.execute(select(Application.stage, Application.status).join(
        AwardEntry, AwardEntry.application_id == Application.id).where(AwardEntry.round_id == done.id)).all())
    assert outcomes == [("approved", "done"), ("approved", "done"), ("deliberation", "rejected")]
    # The 台州 recommendation: 台州's decision recorded; the award and the innovation award won, the other not won.
    upward = db.session.scalar(select(AwardRound).where(AwardRound.mode == "recommend"))
    assert (upward.level, upward.status, upward.decision_number.startswith("台政发")) == ("taizhou", "finalised", True)
    rows = db.session.execute(select(AwardEntry.kind, AwardEntry.outcome, Honour.honour_type, Application.stage,
                                     Application.status)
                              .join(Application, Application.id == AwardEntry.application_id)
                              .outerjoin(Honour, Honour.id == AwardEntry.honour_id)
                              .where(AwardEntry.round_id == upward.id).order_by(AwardEntry.rank)).all()
    assert [tuple(r) for r in rows] == [
        ("quality_award", "won", "quality_award", "approved", "done"),
        ("quality_award", "not_won", None, "approval", "rejected"),
        ("quality_innovation_award", "won", "quality_innovation_award", "approved", "done")]
    assert {h.level for h in db.session.scalars(select(Honour).where(Honour.id.in_(
        select(AwardEntry.honour_id).where(AwardEntry.round_id == upward.id))))} == {"taizhou"}
    (draw,) = db.session.scalars(select(PanelDraw).where(PanelDraw.round_id == found.id)).all()
    assert panels.verify(draw.id)  # a real draw: it replays from its record
    demo_expert = db.session.scalar(select(Expert).join(User, User.id == Expert.user_id)
                                    .where(User.email == "zhuanjia1@linhai.example"))
    assert demo_expert.id in draw.result["panel"]
    assert seed_demo_award() == {}
    assert db.session.scalar(select(func.count(Expert.id))) == 24
