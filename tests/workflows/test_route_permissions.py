"""Every (stage, action, role) of the other 品字标 routes (浙江农产 and 浙江服务 认定, 标准 + 自我声明公开 + 信用保证): each
allowed one succeeds, each forbidden one is refused and changes nothing. Written like test_permissions.py (品字标)."""
from __future__ import annotations

import itertools

import pytest

from registry.extensions import db
from tests.factories import StandardFactory
from tests.workflows.conftest import own_standard, place
from tests.workflows.permission_table import assert_table_covers, cases, try_every_persona
from workflows.models import Application

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
    assert_table_covers(name, 1, EXPECTED[name])


@pytest.mark.parametrize("name,stage,action,status",
                         [(name, *case) for name in sorted(EXPECTED) for case in cases(name)])
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

    def reset(_persona):  # each persona from the same start, the standard unconfirmed again
        place(application_id, stage, status)
        db.session.get(Application, application_id).data = {k: v for k, v in initial_data.items()
                                                             if k != "confirmed_standard_id"}
        db.session.commit()

    try_every_persona(application_id, action, EXPECTED[name][(stage, action)], personas=PERSONAS, relation=RELATION,
                      unseen=("other_applicant", "other_town", "expert"),
                      user_of=lambda p: None if p == "system" else getattr(cast, p), reset=reset,
                      payload=lambda: _payload(action, standard.id))
