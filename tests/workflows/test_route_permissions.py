"""Every (stage, action, role) of the other 品字标 routes (浙江农产 and 浙江服务 认定, 标准 + 自我声明公开 + 信用保证): each
allowed one succeeds, each forbidden one is refused and changes nothing. Written like test_permissions.py (品字标)."""
from __future__ import annotations

import itertools

import pytest

from registry.extensions import db
from registry.services.errors import Forbidden, NotFound
from tests.definitions import TABLE
from tests.factories import StandardFactory
from tests.workflows.conftest import own_standard, place
from workflows import definitions, engine
from workflows.models import Application, Transition

T, B, A, S = "town", "bureau", "applicant", "system"


def _reviewed(stage: str, forward: str, by: str) -> dict:
    return {**{(stage, a): {by} for a in (forward, "return", "reject")},
            (stage, "resubmit"): {A}, (stage, "withdraw"): {A}}


HOLDER = ("record_surveillance", "suspend", "restore", "revoke")
# Written from domain.md section 3 and issue 15 item 4, independently of the definitions.
SHARED_FRONT = {("apply", "submit"): {A}, ("apply", "withdraw"): {A},
                **_reviewed("town_recommendation", "recommend", T), **_reviewed("pool_review", "accept", B)}
RECOGNITION = {**SHARED_FRONT, **_reviewed("recognition_review", "review_passed", B),
               **_reviewed("site_check", "site_check_passed", B),
               ("recognition_decision", "issue_certificate"): {B}, ("recognition_decision", "reject"): {B},
               ("recognition_decision", "withdraw"): {A}, **{("recognised", a): {B} for a in HOLDER}}
EXPECTED = {
    "pinzibiao_agri": RECOGNITION,
    "pinzibiao_service": RECOGNITION,
    "pinzibiao_declaration": {
        **SHARED_FRONT,
        ("standard_drafting", "link_standard"): {A, B}, ("standard_drafting", "standard_published"): {B, S},
        ("standard_drafting", "confirm_standard"): {B},
        ("standard_drafting", "reject"): {B}, ("standard_drafting", "withdraw"): {A},
        ("standard_drafting", "record_standard_step"): {B}, ("standard_drafting", "refuse_initiation"): {B},
        ("standard_drafting", "resubmit"): {A},
        ("self_declaration", "declare"): {A}, ("self_declaration", "withdraw"): {A},
        **_reviewed("credit_check", "register_declaration", B),
        **{("declared", a): {B} for a in HOLDER}},
}
_SERIAL = itertools.count(1)
PERSONAS = ("applicant", "other_applicant", "town", "other_town", "bureau", "admin", "expert", "system")
RELATION = {"applicant": A, "town": T, "bureau": B, "admin": B, "system": S}
FIELDS = {"product": "临海蜜桔", "standard_proposal": "T/ZNZ 001-2023 临海蜜桔", "self_assessment": "自评 90 分"}


def _payload(action: str, standard_id: int) -> dict:
    certificate = {"cert_number": f"RT-{standard_id}-{next(_SERIAL)}", "issuer": "浙江省品牌建设联合会",
                   "issued_on": "2026-03-01"}
    return {"link_standard": {"standard_id": standard_id}, "issue_certificate": certificate,
            "register_declaration": certificate,
            "declare": {"declared_on": "2026-02-01", "declaration_url": "https://www.cpzbz.cn/decl/1",
                        "pledge_signed_on": "2026-02-01"},
            "record_surveillance": {"surveyed_on": "2026-09-01", "result": "合格"},
            "record_standard_step": {"standard_step": "approved", "step_on": "2026-01-10", "batch": "2026年第一批"},
            "refuse_initiation": {"step_on": "2026-01-10", "batch": "2026年第一批"}}.get(action, {})


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_expected_table_covers_the_definition(name):
    workflow = definitions.get(name, 1)
    assert {(s.name, a.name) for s in workflow.stages for a in s.actions} == set(EXPECTED[name])
    for stage in workflow.stages:
        for action in stage.actions:
            assert set(action.roles) == EXPECTED[name][(stage.name, action.name)], (name, stage.name, action.name)


def _cases():
    return [(name, s.name, a.name, sorted(a.from_statuses)[0])
            for name in sorted(EXPECTED) for s in TABLE.get(name, 1).stages for a in s.actions]


@pytest.mark.parametrize("name,stage,action,status", _cases())
def test_every_stage_action_role(cast, name, stage, action, status):
    from workflows.services import applications

    # the bureau confirms a standard others drafted; every other action works on the enterprise's own
    standard = StandardFactory(status="published") if action == "confirm_standard" else \
        own_standard(cast.enterprise, status="published")
    application = applications.start(cast.applicant, name, None, FIELDS)
    application_id = application.id
    application.standard_id = standard.id
    application.data = {**application.data, **_payload("declare", 0)}  # the declaration the credit check reads
    db.session.commit()
    initial_data = dict(db.session.get(Application, application_id).data)
    for persona in PERSONAS:
        place(application_id, stage, status)
        db.session.get(Application, application_id).data = dict(initial_data)  # each persona from the same start
        db.session.commit()
        before = db.session.get(Application, application_id)
        before.data = {k: v for k, v in before.data.items() if k != "confirmed_standard_id"}  # unconfirmed again
        db.session.commit()
        before_state = (before.stage, before.status, before.version)
        transitions = db.session.query(Transition).count()
        user = None if persona == "system" else getattr(cast, persona)
        allowed = RELATION.get(persona) in EXPECTED[name][(stage, action)]
        payload = _payload(action, standard.id)
        if allowed:
            outcome = engine.apply(application_id, action, user, reason="测试理由", payload=payload)
            assert outcome.version == before_state[2] + 1, (persona, action)
            assert db.session.query(Transition).count() == transitions + 1
        else:
            expected_error = NotFound if persona in ("other_applicant", "other_town", "expert") else Forbidden
            with pytest.raises(expected_error):
                engine.apply(application_id, action, user, reason="测试理由", payload=payload)
            db.session.expire_all()
            after = db.session.get(Application, application_id)
            assert (after.stage, after.status, after.version) == before_state, (persona, action)
            assert db.session.query(Transition).count() == transitions
