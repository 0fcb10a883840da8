"""Demo award: a pool, an open round with deadlines, nominations at the first stages, the first demo expert seated."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.awards import panels
from registry.awards.models import AwardEntry, AwardRound, Expert, PanelDraw
from registry.demo import seed_demo
from registry.demo.applications import seed_demo_applications
from registry.demo.awards import seed_demo_award
from registry.extensions import db
from registry.models import User
from workflows.models import Application


def test_demo_award_gives_each_account_work_once():
    seed_demo()
    seed_demo_applications()
    assert seed_demo_award() == {"experts": 24, "rounds": 2, "nominations": 3, "finished_rounds": 1,
                                 "honours_granted": 2}
    found = db.session.scalar(select(AwardRound).where(AwardRound.status == "open"))
    assert set(found.stage_deadlines) == {
        "recommend", "eligibility", "document_review", "site_review", "deliberation"}
    stages = sorted(db.session.scalars(select(Application.stage).join(
        AwardEntry, AwardEntry.application_id == Application.id).where(AwardEntry.round_id == found.id)))
    assert stages == ["document_review", "eligibility", "recommend"]
    # Last year's round ran to the end: two honoured (approved), the third not selected.
    done = db.session.scalar(select(AwardRound).where(AwardRound.status == "finalised"))
    outcomes = sorted(db.session.execute(select(Application.stage, Application.status).join(
        AwardEntry, AwardEntry.application_id == Application.id).where(AwardEntry.round_id == done.id)).all())
    assert outcomes == [("approved", "done"), ("approved", "done"), ("deliberation", "rejected")]
    (draw,) = db.session.scalars(select(PanelDraw).where(PanelDraw.round_id == found.id)).all()
    assert panels.verify(draw.id)  # a real draw: it replays from its record
    demo_expert = db.session.scalar(select(Expert).join(User, User.id == Expert.user_id)
                                    .where(User.email == "zhuanjia1@linhai.example"))
    assert demo_expert.id in draw.result["panel"]
    assert seed_demo_award() == {}
    assert db.session.scalar(select(func.count(Expert.id))) == 24
