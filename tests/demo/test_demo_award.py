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
    assert seed_demo_award() == {"experts": 24, "rounds": 1, "nominations": 3}
    found = db.session.scalar(select(AwardRound))
    assert found.status == "open" and set(found.stage_deadlines) == {
        "recommend", "eligibility", "document_review", "site_review", "deliberation"}
    stages = sorted(db.session.scalars(select(Application.stage).join(
        AwardEntry, AwardEntry.application_id == Application.id)))
    assert stages == ["document_review", "eligibility", "recommend"]
    (draw,) = db.session.scalars(select(PanelDraw)).all()
    assert panels.verify(draw.id)  # a real draw: it replays from its record
    demo_expert = db.session.scalar(select(Expert).join(User, User.id == Expert.user_id)
                                    .where(User.email == "zhuanjia1@linhai.example"))
    assert demo_expert.id in draw.result["panel"]
    assert seed_demo_award() == {}
    assert db.session.scalar(select(func.count(Expert.id))) == 24
