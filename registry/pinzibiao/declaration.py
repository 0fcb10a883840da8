"""品字标 by 标准 + 自我声明公开 + 信用保证 (the 2023 route, domain.md section 3), as data.

The first four stages are the 品字标浙江制造 route's (a published 浙江制造 standard is still the ground); instead of
third-party certification the enterprise publishes a self-declaration that its product meets the standard (自我声明
公开) and pledges its credit (信用承诺); the bureau checks the registry's credit listings and registers the declaration,
which becomes a registry Certification of type ``pinzibiao_declaration`` (surveillance, suspension and revocation as
for a certificate).
"""
from __future__ import annotations

from registry.i18n import N_
from registry.pinzibiao import route_rules, rules
from registry.pinzibiao.stages import (APPLICANT, BUREAU, apply_stage, certificate_fields, holder_stage, pool_review,
                                       standard_drafting, standard_route_fields, town_recommendation)
from workflows.spec import NEXT, Field, Stage, Workflow, act, resubmit, withdraw

PINZIBIAO_DECLARATION_V1 = Workflow(
    name="pinzibiao_declaration", version=1, label=N_("品字标（标准+自我声明公开+信用保证）"),
    fields=standard_route_fields(),
    stages=(
        apply_stage(),
        town_recommendation(),
        pool_review(),
        standard_drafting(),
        Stage("self_declaration", N_("自我声明公开"), frozenset({APPLICANT}),
              (act("declare", N_("登记自我声明公开"), {APPLICANT}, target=NEXT,
                   fields=(Field("declared_on", N_("公开日期"), kind="date"),
                           Field("declaration_url", N_("公开平台网址")),
                           Field("pledge_signed_on", N_("信用承诺书签署日期"), kind="date"))),
               withdraw()),
              time_limit_days=30),
        Stage("credit_check", N_("信用审查"), frozenset({BUREAU}),
              (act("register_declaration", N_("信用审查通过，登记"), {BUREAU}, target=NEXT,
                   guard=route_rules.declared_with_clean_credit,
                   effects=(rules.issue_certificate("pinzibiao_declaration"),),
                   fields=certificate_fields(N_("登记编号"), N_("公开平台"), N_("登记日期"))),
               act("return", N_("退回补正"), {BUREAU}, status="returned", needs_reason=True, style="plain"),
               act("reject", N_("不予登记"), {BUREAU}, status="rejected", needs_reason=True, style="danger"),
               resubmit(), withdraw()),
              time_limit_days=10),
        holder_stage("declared", N_("已登记")),
    ),
)

VERSIONS = (PINZIBIAO_DECLARATION_V1,)
