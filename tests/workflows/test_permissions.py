"""Every (stage, action, role) of the 品字标 definition: each allowed one succeeds, each forbidden one is refused."""
from __future__ import annotations

import itertools

import pytest

from registry.extensions import db
from registry.services.errors import Forbidden, NotFound
from tests.workflows.conftest import own_standard, place
from workflows import definitions, engine
from workflows.models import Application, Transition

T, B, A, S = "town", "bureau", "applicant", "system"
# Written from domain.md section 3, independently of the definition: who may take each action in each stage.
EXPECTED = {
    ("apply", "submit"): {A}, ("apply", "withdraw"): {A},
    **{("town_recommendation", a): {T} for a in ("recommend", "return", "reject")},
    ("town_recommendation", "resubmit"): {A}, ("town_recommendation", "withdraw"): {A},
    **{("pool_review", a): {B} for a in ("accept", "return", "reject")},
    ("pool_review", "resubmit"): {A}, ("pool_review", "withdraw"): {A},
    ("standard_drafting", "link_standard"): {A, B}, ("standard_drafting", "standard_published"): {B, S},
    ("standard_drafting", "reject"): {B}, ("standard_drafting", "withdraw"): {A},
    **{(st, a): {B} for st, fwd in (("cert_acceptance", "body_accepted"), ("product_testing", "testing_passed"),
                                     ("factory_audit", "audit_passed")) for a in (fwd, "reject", "return")},
    **{(st, "resubmit"): {A} for st in ("cert_acceptance", "product_testing", "factory_audit")},
    **{(st, "withdraw"): {A} for st in ("cert_acceptance", "product_testing", "factory_audit", "cert_decision")},
    ("cert_decision", "issue_certificate"): {B}, ("cert_decision", "reject"): {B},
    **{("certified", a): {B} for a in ("record_surveillance", "suspend", "restore", "revoke")},
}
_SERIAL = itertools.count(1)
PERSONAS = ("applicant", "other_applicant", "town", "other_town", "bureau", "admin", "expert", "system")
RELATION = {"applicant": A, "town": T, "bureau": B, "admin": B, "system": S}


def _payload(action: str, standard_id: int) -> dict:
    return {"link_standard": {"standard_id": standard_id},
            "issue_certificate": {"cert_number": f"PZB-{standard_id}-{next(_SERIAL)}", "issuer": "浙江制造国际认证联盟",
                                  "issued_on": "2026-03-01"},
            "record_surveillance": {"surveyed_on": "2026-09-01", "result": "合格"}}.get(action, {})


def test_expected_table_covers_the_definition():
    workflow = definitions.get("pinzibiao", 1)
    pairs = {(s.name, a.name) for s in workflow.stages for a in s.actions}
    assert pairs == set(EXPECTED)
    for stage in workflow.stages:
        for action in stage.actions:
            assert set(action.roles) == EXPECTED[(stage.name, action.name)], (stage.name, action.name)


def _cases():
    workflow = definitions.get("pinzibiao", 1)
    return [(s.name, a.name, sorted(a.from_statuses)[0]) for s in workflow.stages for a in s.actions]


@pytest.mark.parametrize("stage,action,status", _cases())
def test_every_stage_action_role(cast, draft, stage, action, status):
    standard = own_standard(cast.enterprise, status="published")
    application = draft()
    application_id = application.id
    application.standard_id = standard.id
    db.session.commit()
    for persona in PERSONAS:
        place(application_id, stage, status)
        before = db.session.get(Application, application_id)
        before_state = (before.stage, before.status, before.version)
        transitions = db.session.query(Transition).count()
        user = None if persona == "system" else getattr(cast, persona)
        allowed = RELATION.get(persona) in EXPECTED[(stage, action)]
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


def test_allowed_actions_match_the_engine(cast, draft):
    application = draft()
    place(application.id, "town_recommendation", "in_progress")
    application = db.session.get(Application, application.id)
    assert [a.name for a in engine.allowed_actions(application, cast.town)] == ["recommend", "return", "reject"]
    assert [a.name for a in engine.allowed_actions(application, cast.applicant)] == ["withdraw"]
    assert engine.allowed_actions(application, cast.bureau) == []
