"""Demo applications: pushed through the real engine, so every demo account has work waiting."""
from __future__ import annotations

from sqlalchemy import func, select

from registry.demo import seed_demo
from registry.demo.applications import seed_demo_applications
from registry.extensions import db
from registry.models import Certification
from workflows.models import Application, Transition


def test_demo_applications_cover_the_stages_once():
    seed_demo()
    made = seed_demo_applications()
    assert made == {"town": 4, "draft": 1, "pool": 2, "returned": 1, "drafting": 1, "certified": 2,
                    "body_choice": 1, "cert_acceptance": 1, "product_testing": 1, "factory_audit": 1,
                    "cert_decision": 1}
    stages = dict(db.session.execute(select(Application.stage, func.count()).group_by(Application.stage)).all())
    assert stages["town_recommendation"] == 4 and stages["pool_review"] == 3 and stages["certified"] == 2
    for stage in ("body_choice", "cert_acceptance", "product_testing", "factory_audit", "cert_decision"):
        assert stages[stage] == 1, stage
    statuses = set(db.session.scalars(select(Application.status)))
    assert {"draft", "returned", "in_progress", "done"} <= statuses
    demo_certs = db.session.scalar(select(func.count()).where(Certification.number.like("CZJM-DEMO-%")))
    assert demo_certs == 2
    # a certified firm without a standard of its own (and the second one always) is certified against a standard
    # others drafted, which the bureau confirmed covers its product before standard drafting was passed
    confirmed = db.session.scalars(select(Transition).where(Transition.action == "confirm_standard")).all()
    assert len(confirmed) >= 1
    for row in confirmed:
        moved = db.session.scalar(select(Transition).where(Transition.application_id == row.application_id,
                                                           Transition.action == "standard_published"))
        assert row.reason and moved is not None and moved.id > row.id
    assert seed_demo_applications() == {}
    assert db.session.scalar(select(func.count(Application.id))) == 16


def test_the_demo_certifier_works_the_body_steps_and_sees_only_its_body():
    """The demo auditor's inbox holds its body's four steps; the bureau's paper record is marked in history."""
    from registry.models import CertificationBody, User
    from workflows.models import Transition
    from workflows.services.inbox import inbox

    seed_demo()
    seed_demo_applications()
    certifier = db.session.scalar(select(User).where(User.email == "renzheng@linhai.example"))
    items, total = inbox(certifier)
    assert sorted(i["application"].stage for i in items) == ["cert_acceptance", "cert_decision", "factory_audit",
                                                             "product_testing"]
    assert db.session.get(CertificationBody, certifier.certification_body_id).name == "浙江公信认证有限公司"
    paper = db.session.scalars(select(Transition).where(Transition.action == "testing_passed")).all()
    assert sorted(t.payload["recorded_by"] for t in paper) == ["bureau_from_paper", "certifier", "certifier",
                                                                "certifier"]
    issued = db.session.scalars(select(Certification.issuer).where(Certification.number.like("CZJM-DEMO-%"))).all()
    assert issued == ["浙江公信认证有限公司"] * 2
    drafting = db.session.scalar(select(Application).where(Application.stage == "standard_drafting"))
    assert [s["step"] for s in drafting.data["standard_steps"]] == ["approved", "drafting", "consultation"]
    after = [a for a in db.session.scalars(select(Application).where(Application.stage == "certified"))
             if a.data.get("certificate_events")]
    assert len(after) == 1 and after[0].data["surveillances"][0]["result"] == "通过"
    assert "新增型号 B 系列" in db.session.get(Certification, after[0].certification_id).scope


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
