"""Demo applications: pushed through the real engine, so every demo account has work waiting."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.demo import seed_demo
from registry.demo.applications import seed_demo_applications
from registry.extensions import db
from registry.models import Certification
from workflows.models import Application


def test_demo_applications_cover_the_stages_once():
    seed_demo()
    made = seed_demo_applications()
    assert made == {"town": 4, "draft": 1, "pool": 2, "returned": 1, "drafting": 1, "certified": 2}
    stages = dict(db.session.execute(select(Application.stage, func.count()).group_by(Application.stage)).all())
    assert stages["town_recommendation"] == 4 and stages["pool_review"] == 3 and stages["certified"] == 2
    statuses = set(db.session.scalars(select(Application.status)))
    assert {"draft", "returned", "in_progress", "done"} <= statuses
    demo_certs = db.session.scalar(select(func.count()).where(Certification.number.like("CZJM-DEMO-%")))
    assert demo_certs == 2
    assert seed_demo_applications() == {}
    assert db.session.scalar(select(func.count(Application.id))) == 11
