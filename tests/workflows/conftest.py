"""Fixtures for workflow tests: a cast of users around one enterprise, and applications placed at any stage."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from registry.extensions import db
from registry.models import CertificationBody, Jurisdiction, User
from tests.factories import EnterpriseFactory, StandardFactory, UserFactory


@dataclass
class Cast:
    enterprise: object
    applicant: User
    other_applicant: User
    town: User
    other_town: User
    bureau: User
    admin: User
    expert: User
    certifier: User  # staff of ``body``, the certification body the tests assign applications to
    other_certifier: User  # staff of another body
    body: object


@pytest.fixture
def cast(app):
    from registry.database import begin_write

    begin_write()  # reads then writes: on SQLite, take the lock first (the session's worker may be committing)
    jurisdictions = list(db.session.scalars(select(Jurisdiction).order_by(Jurisdiction.sort_order)))
    home, away = jurisdictions[0], jurisdictions[1]
    enterprise = EnterpriseFactory(jurisdiction=home)
    other = EnterpriseFactory(jurisdiction=away)
    body, other_body = (CertificationBody(code=f"CB-{n}-{enterprise.id}", name=f"测试认证机构{n}-{enterprise.id}")
                        for n in (1, 2))
    db.session.add_all([body, other_body])
    db.session.commit()
    return Cast(
        enterprise=enterprise,
        applicant=UserFactory(role="enterprise", enterprise=enterprise),
        other_applicant=UserFactory(role="enterprise", enterprise=other),
        town=UserFactory(role="town", jurisdiction=home),
        other_town=UserFactory(role="town", jurisdiction=away),
        bureau=UserFactory(role="bureau"),
        admin=UserFactory(role="admin"),
        expert=UserFactory(role="expert"),
        certifier=UserFactory(role="certifier", certification_body_id=body.id),
        other_certifier=UserFactory(role="certifier", certification_body_id=other_body.id),
        body=body,
    )


@pytest.fixture
def draft(cast):
    """A complete draft 品字标 application of the cast's enterprise; call with overrides for more."""
    from workflows.services import applications

    def _make(**fields):
        data = {"product": "高精度汽车齿轮", "standard_proposal": "汽车变速器齿轮", "self_assessment": "自评 85 分"}
        data.update(fields)
        return applications.start(cast.applicant, "pinzibiao", None, data)

    return _make


def place(application_id: int, stage: str, status: str) -> None:
    """Test helper: put an application at (stage, status) with an open stage run, bypassing the engine."""
    from registry import clock
    from workflows import engine, stageruns
    from workflows.models import Application

    from registry.database import begin_write

    begin_write()  # reads then writes (see ``cast``)
    application = db.session.get(Application, application_id)
    workflow = engine.definition_of(application)
    stageruns.close(stageruns.current_run(application_id), clock.now())
    run = stageruns.open_run(application_id, workflow, workflow.stage(stage), clock.now())
    db.session.flush()
    db.session.execute(update(Application).where(Application.id == application_id)
                       .values(stage=stage, status=status, due_at=run.due_at))
    if status == "returned":
        run.paused_at = clock.now()
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def published_standard(cast):
    """A published 浙江制造 standard the cast's enterprise drafted (an application may only name its own)."""
    return own_standard(cast.enterprise, status="published")


def own_standard(enterprise, **fields):
    """A standard ``enterprise`` drafted (lead), which its applications may name."""
    from tests.factories import StandardDrafterFactory

    standard = StandardFactory(**fields)
    StandardDrafterFactory(standard=standard, enterprise=enterprise, role="lead")
    db.session.commit()
    return standard
