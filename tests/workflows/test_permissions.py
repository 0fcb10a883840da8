"""Every (stage, action, role) of the 品字标 definition: each allowed one succeeds, each forbidden one is refused."""
from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from registry.extensions import db
from registry.services.errors import NotFound
from tests.factories import StandardFactory
from tests.workflows.conftest import own_standard, place
from tests.workflows.permission_table import assert_table_covers, cases, try_every_persona
from workflows import engine
from workflows.models import Application, Transition

T, B, A, S, C = "town", "bureau", "applicant", "system", "certifier"
# Written from domain.md section 3, independently of the definition: who may take each action in each stage.
# Certification is the body's (C: staff of the body the application is assigned to); the bureau may record each of
# its steps from a paper result (B).
EXPECTED = {
    ("apply", "submit"): {A}, ("apply", "withdraw"): {A},
    **{("town_recommendation", a): {T} for a in ("recommend", "return", "reject")},
    ("town_recommendation", "resubmit"): {A}, ("town_recommendation", "withdraw"): {A},
    **{("pool_review", a): {B} for a in ("accept", "return", "reject")},
    ("pool_review", "resubmit"): {A}, ("pool_review", "withdraw"): {A},
    ("standard_drafting", "link_standard"): {A, B}, ("standard_drafting", "standard_published"): {B, S},
    ("standard_drafting", "confirm_standard"): {B},
    ("standard_drafting", "reject"): {B}, ("standard_drafting", "withdraw"): {A},
    # the standard's provincial batch: the bureau records each step; a refused 立项 returns it to the applicant
    ("standard_drafting", "record_standard_step"): {B}, ("standard_drafting", "refuse_initiation"): {B},
    ("standard_drafting", "resubmit"): {A},
    ("body_choice", "choose_body"): {A, B}, ("body_choice", "withdraw"): {A},
    **{(st, a): {C, B} for st, fwd in (("cert_acceptance", "body_accepted"), ("product_testing", "testing_passed"),
                                        ("factory_audit", "audit_passed")) for a in (fwd, "reject", "return")},
    **{(st, "resubmit"): {A} for st in ("cert_acceptance", "product_testing", "factory_audit")},
    **{(st, "withdraw"): {A} for st in ("body_choice", "cert_acceptance", "product_testing", "factory_audit",
                                        "cert_decision")},
    ("cert_decision", "issue_certificate"): {C, B}, ("cert_decision", "reject"): {C, B},
    # after certification the body acts (the bureau from a paper result): 监督审核, 暂停/恢复, 撤销, 注销, 再认证, 扩项, 变更
    **{("certified", a): {C, B} for a in ("record_surveillance", "surveillance_failed", "suspend", "restore", "revoke",
                                          "cancel", "recertify", "extend_scope", "change")},
}
_SERIAL = itertools.count(1)
PERSONAS = ("applicant", "other_applicant", "town", "other_town", "bureau", "admin", "expert", "certifier",
            "other_certifier", "system")
RELATION = {"applicant": A, "town": T, "bureau": B, "admin": B, "system": S, "certifier": C}
UNSEEN = ("other_applicant", "other_town", "expert", "other_certifier")  # they do not see the application at all


def _payload(action: str, standard_id: int, body_id: int) -> dict:
    return {"link_standard": {"standard_id": standard_id}, "choose_body": {"certification_body_id": body_id},
            "issue_certificate": {"cert_number": f"PZB-{standard_id}-{next(_SERIAL)}", "issuer": "浙江制造国际认证联盟",
                                  "issued_on": "2026-03-01"},
            "record_surveillance": {"surveyed_on": "2026-09-01", "result": "合格"},
            "surveillance_failed": {"surveyed_on": "2026-09-01"},
            "recertify": {"expires_on": (date(2040, 1, 1) + timedelta(days=next(_SERIAL))).isoformat()},
            "extend_scope": {"scope_added": "型号 X2"}, "change": {"change_note": "企业地址变更"},
            "record_standard_step": {"standard_step": "approved", "step_on": "2026-01-10", "batch": "2026年第一批"},
            "refuse_initiation": {"step_on": "2026-01-10", "batch": "2026年第一批"}}.get(action, {})


def _certificate(enterprise):
    from registry.models import Certification

    cert = Certification(enterprise_id=enterprise.id, cert_type="pinzibiao", number=f"PZB-T-{next(_SERIAL)}",
                         issuer="测试认证机构", scope="齿轮", issued_on=date(2026, 3, 1), expires_on=date(2029, 3, 1))
    db.session.add(cert)
    db.session.flush()
    return cert


def test_expected_table_covers_the_definition():
    assert_table_covers("pinzibiao", 1, EXPECTED)


@pytest.mark.parametrize("stage,action,status", cases("pinzibiao"))
def test_every_stage_action_role(cast, draft, stage, action, status):
    # the bureau confirms a standard others drafted; every other action works on the enterprise's own
    standard = StandardFactory(status="published") if action == "confirm_standard" else \
        own_standard(cast.enterprise, status="published")
    application = draft()
    application_id = application.id
    application.standard_id = standard.id
    application.certification_body_id = cast.body.id
    if stage == "certified":  # the holder's actions act on its certificate
        application.certification_id = _certificate(cast.enterprise).id
    db.session.commit()
    initial_data = dict(db.session.get(Application, application_id).data)

    def reset(_persona):  # each persona from the same start, the standard unconfirmed again
        place(application_id, stage, status)
        db.session.get(Application, application_id).data = {k: v for k, v in initial_data.items()
                                                             if k != "confirmed_standard_id"}
        db.session.commit()

    try_every_persona(application_id, action, EXPECTED[(stage, action)], personas=PERSONAS, relation=RELATION,
                      unseen=UNSEEN, user_of=lambda p: None if p == "system" else getattr(cast, p), reset=reset,
                      payload=lambda: _payload(action, standard.id, cast.body.id))


def test_allowed_actions_match_the_engine(cast, draft):
    application = draft()
    place(application.id, "town_recommendation", "in_progress")
    application = db.session.get(Application, application.id)
    assert [a.name for a in engine.allowed_actions(application, cast.town)] == ["recommend", "return", "reject"]
    assert [a.name for a in engine.allowed_actions(application, cast.applicant)] == ["withdraw"]
    assert engine.allowed_actions(application, cast.bureau) == []


def test_a_certifier_acts_only_once_the_application_is_assigned_to_its_body(cast, draft, published_standard):
    """Before the applicant chooses a body no certifier sees the application; afterwards only that body's."""
    application = draft()
    application.standard_id = published_standard.id
    db.session.commit()
    place(application.id, "body_choice", "in_progress")
    with pytest.raises(NotFound):
        engine.apply(application.id, "choose_body", cast.certifier, payload={"certification_body_id": cast.body.id})
    engine.apply(application.id, "choose_body", cast.applicant, payload={"certification_body_id": cast.body.id})
    application = db.session.get(Application, application.id)
    assert (application.stage, application.certification_body_id) == ("cert_acceptance", cast.body.id)
    assert [a.name for a in engine.allowed_actions(application, cast.certifier)] == ["body_accepted", "reject",
                                                                                      "return"]
    with pytest.raises(NotFound):
        engine.apply(application.id, "body_accepted", cast.other_certifier)
    engine.apply(application.id, "body_accepted", cast.certifier, payload={"accepted_on": "2026-03-02"})


@pytest.mark.parametrize("body", ["retired", "unknown"])
def test_choosing_a_body_outside_the_catalogue_is_refused(cast, draft, body):
    from registry.services.errors import ValidationFailed

    application = draft()
    place(application.id, "body_choice", "in_progress")
    if body == "retired":
        cast.body.active = False
        db.session.commit()
    body_id = cast.body.id if body == "retired" else cast.body.id + 1000
    with pytest.raises(ValidationFailed) as info:
        engine.apply(application.id, "choose_body", cast.applicant, payload={"certification_body_id": body_id})
    assert "certification_body_id" in info.value.errors
    after = db.session.get(Application, application.id)
    assert (after.stage, after.certification_body_id) == ("body_choice", None)


def test_history_marks_a_step_the_bureau_recorded_from_a_paper_result(cast, draft, auth):
    application = draft()
    application.certification_body_id = cast.body.id
    db.session.commit()
    place(application.id, "cert_acceptance", "in_progress")
    engine.apply(application.id, "body_accepted", cast.certifier)
    engine.apply(application.id, "testing_passed", cast.bureau, payload={"test_report_no": "JY-2026-07"})
    rows = {t.action: t.payload for t in db.session.query(Transition).filter_by(application_id=application.id)}
    assert rows["body_accepted"]["recorded_by"] == "certifier"
    assert rows["testing_passed"] == {"test_report_no": "JY-2026-07", "recorded_by": "bureau_from_paper"}
    auth.login(cast.bureau)
    page = auth.client.get(f"/applications/{application.id}").get_data(as_text=True)
    assert page.count("市局据纸质结果代录") == 1
