"""品字标浙江制造 cultivation and certification (domain.md section 3), as data.

apply → town recommendation → bureau acceptance into the cultivation pool → standard drafting (completes by
itself when the linked standard is published) → certification: body acceptance → product testing → factory
audit → decision → certified (the certificate becomes a registry Certification; surveillance, suspension,
restoration and revocation follow).
"""
from __future__ import annotations

from registry.i18n import N_
from workflows.definitions import pinzibiao_rules as rules
from workflows.definitions.pinzibiao_stages import (BUREAU, apply_stage, certificate_fields, holder_stage, pool_review,
                                                    recorded_step, standard_drafting, town_recommendation)
from workflows.spec import NEXT, Field, Stage, Workflow, act, withdraw

PINZIBIAO_V1 = Workflow(
    name="pinzibiao", version=1, label=N_("品字标浙江制造培育认证"),
    fields=(Field("product", N_("产品名称")), Field("standard_proposal", N_("拟制定标准名称"), required=False),
            Field("self_assessment", N_("自评价"), kind="textarea")),
    stages=(
        apply_stage(),
        town_recommendation(),
        pool_review(),
        standard_drafting(),
        recorded_step("cert_acceptance", N_("认证受理"), "body_accepted", N_("记录：认证受理通过"), 10),
        recorded_step("product_testing", N_("产品检测"), "testing_passed", N_("记录：产品检测通过"), 30),
        recorded_step("factory_audit", N_("工厂审查"), "audit_passed", N_("记录：工厂审查通过"), 30),
        Stage("cert_decision", N_("认证决定"), frozenset({BUREAU}),
              (act("issue_certificate", N_("登记证书"), {BUREAU}, target=NEXT, effects=(rules.create_certification,),
                   fields=certificate_fields()),
               act("reject", N_("不予认证"), {BUREAU}, status="rejected", needs_reason=True, style="danger"),
               withdraw()),
              time_limit_days=20),
        holder_stage("certified", N_("获证")),
    ),
)

VERSIONS = (PINZIBIAO_V1,)
