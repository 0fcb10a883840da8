"""品字标浙江制造 cultivation and certification (domain.md section 3), as data.

apply → town recommendation → bureau acceptance into the cultivation pool → standard drafting (completes by
itself when the linked standard is published) → the applicant applies to a certification body (认证机构) → the
body's certification (浙江制造认证实施细则): 受理 → 产品检验 → 初始工厂审核 → 评价与决定 → certified (the certificate
becomes a registry Certification; surveillance, suspension, restoration and revocation follow).

The body decides: its ``certifier`` accounts take the certification steps of the applications assigned to it. The
bureau follows and may record a step on the body's behalf from a paper result; history marks that row.
"""
from __future__ import annotations

from registry.i18n import N_
from registry.pinzibiao import rules
from registry.pinzibiao.stages import (BODY, CERTIFIER, apply_stage, body_choice, body_step, certificate_fields,
                                       holder_stage, pool_review, standard_drafting, standard_route_fields,
                                       town_recommendation)
from workflows.spec import NEXT, Field, Stage, Workflow, act, withdraw

PINZIBIAO_V1 = Workflow(
    name="pinzibiao", version=1, label=N_("品字标浙江制造培育认证"),
    fields=standard_route_fields(),
    stages=(
        apply_stage(),
        town_recommendation(),
        pool_review(),
        standard_drafting(),
        body_choice(),
        body_step("cert_acceptance", N_("认证受理"), "body_accepted", N_("记录：认证受理"), 10,
                  (Field("accepted_on", N_("受理日期"), kind="date", required=False),)),
        body_step("product_testing", N_("产品检验"), "testing_passed", N_("记录：产品检验合格"), 30,
                  (Field("test_report_no", N_("检验报告编号"), required=False),)),
        body_step("factory_audit", N_("初始工厂审核"), "audit_passed", N_("记录：工厂审核通过"), 30,
                  (Field("audited_on", N_("审核日期"), kind="date", required=False),
                   Field("audit_report_no", N_("审核报告编号"), required=False))),
        Stage("cert_decision", N_("评价与决定"), frozenset({CERTIFIER}),
              (act("issue_certificate", N_("颁发证书"), BODY, target=NEXT,
                   effects=(rules.note_recorder, rules.create_certification),
                   fields=certificate_fields(issuer=N_("认证机构（未指定认证机构时填写）"), issuer_required=False)),
               act("reject", N_("不予认证"), BODY, status="rejected", needs_reason=True, style="danger",
                   effects=(rules.note_recorder,)),
               withdraw()),
              time_limit_days=20),
        holder_stage("certified", N_("获证"), certified_by_body=True),
    ),
)

VERSIONS = (PINZIBIAO_V1,)
