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


def test_demo_has_an_application_on_each_other_route():
    from registry.demo.route_applications import seed_demo_route_applications

    seed_demo()
    seed_demo_applications()
    made = seed_demo_route_applications()
    assert made == {"pinzibiao_service": 1, "pinzibiao_agri": 2, "pinzibiao_declaration": 1}
    where = dict(db.session.execute(select(Application.workflow + ":" + Application.stage, Application.status)
                                    .where(Application.workflow != "pinzibiao")).all())
    assert where == {"pinzibiao_service:town_recommendation": "in_progress", "pinzibiao_agri:site_check": "in_progress",
                     "pinzibiao_agri:recognised": "done", "pinzibiao_declaration:credit_check": "in_progress"}
    assert db.session.scalar(select(func.count()).where(Certification.cert_type == "pinzibiao_agri",
                                                        Certification.number.like("ZJNC-DEMO-%"))) == 1
    assert seed_demo_route_applications() == {}
