"""品字标浙江制造 cultivation and certification (domain.md section 3), as data.

apply → town recommendation → bureau acceptance into the cultivation pool → standard drafting (completes by
itself when the linked standard is published) → certification: body acceptance → product testing → factory
audit → decision → certified (the certificate becomes a registry Certification; surveillance, suspension,
restoration and revocation follow).
"""
from __future__ import annotations

from workflows.definitions import pinzibiao_rules as rules
from registry.i18n import N_
from workflows.spec import (DONE, DRAFT, NEXT, Auto, Field, Stage, Workflow, act, resubmit,
                            reviewer_actions, withdraw)

APPLICANT, TOWN, BUREAU, SYSTEM = "applicant", "town", "bureau", "system"

_cert_step = lambda name, label, forward, forward_label, limit: Stage(  # noqa: E731
    name, label, frozenset({BUREAU}),
    (act(forward, forward_label, {BUREAU}, target=NEXT),
     act("reject", N_("不予通过"), {BUREAU}, status="rejected", needs_reason=True, style="danger"),
     act("return", N_("退回补正"), {BUREAU}, status="returned", needs_reason=True, style="plain"),
     resubmit(), withdraw()),
    time_limit_days=limit)

PINZIBIAO_V1 = Workflow(
    name="pinzibiao", version=1, label=N_("品字标浙江制造培育认证"),
    fields=(Field("product", N_("产品名称")), Field("standard_proposal", N_("拟制定标准名称"), required=False),
            Field("self_assessment", N_("自评价"), kind="textarea")),
    stages=(
        Stage("apply", N_("申请"), frozenset({APPLICANT}),
              (act("submit", N_("提交申请"), {APPLICANT}, target=NEXT, from_statuses={DRAFT}, guard=rules.ready_to_submit),
               withdraw())),
        Stage("town_recommendation", N_("镇街推荐"), frozenset({TOWN}),
              reviewer_actions({TOWN}, act("recommend", N_("推荐"), {TOWN}, target=NEXT)), time_limit_days=5),
        Stage("pool_review", N_("入库审核"), frozenset({BUREAU}),
              reviewer_actions({BUREAU}, act("accept", N_("同意入库"), {BUREAU}, target=NEXT)), time_limit_days=10),
        Stage("standard_drafting", N_("标准研制"), frozenset({APPLICANT, BUREAU}),
              (act("link_standard", N_("关联标准"), {APPLICANT, BUREAU}, style="plain",
                   fields=(Field("standard_id", N_("标准"), kind="standard"),), effects=(rules.link_standard,)),
               act("standard_published", N_("标准已发布"), {BUREAU, SYSTEM}, target=NEXT, guard=rules.standard_published),
               act("reject", N_("终止培育"), {BUREAU}, status="rejected", needs_reason=True, style="danger"),
               withdraw()),
              time_limit_days=250, auto=(Auto("standard_published", when=rules.standard_published),)),
        _cert_step("cert_acceptance", N_("认证受理"), "body_accepted", N_("记录：认证受理通过"), 10),
        _cert_step("product_testing", N_("产品检测"), "testing_passed", N_("记录：产品检测通过"), 30),
        _cert_step("factory_audit", N_("工厂审查"), "audit_passed", N_("记录：工厂审查通过"), 30),
        Stage("cert_decision", N_("认证决定"), frozenset({BUREAU}),
              (act("issue_certificate", N_("登记证书"), {BUREAU}, target=NEXT, effects=(rules.create_certification,),
                   fields=(Field("cert_number", N_("证书编号")), Field("issuer", N_("认证机构")),
                           Field("issued_on", N_("发证日期"), kind="date"),
                           Field("expires_on", N_("有效期至"), kind="date", required=False))),
               act("reject", N_("不予认证"), {BUREAU}, status="rejected", needs_reason=True, style="danger"),
               withdraw()),
              time_limit_days=20),
        Stage("certified", N_("获证"), frozenset(),
              (act("record_surveillance", N_("记录年度监督"), {BUREAU}, from_statuses={DONE}, style="plain",
                   fields=(Field("surveyed_on", N_("监督日期"), kind="date"), Field("result", N_("结论"), required=False)),
                   effects=(rules.record_surveillance,)),
               act("suspend", N_("暂停证书"), {BUREAU}, status="suspended", from_statuses={DONE}, needs_reason=True,
                   effects=(rules.suspend_certificate,), style="danger"),
               act("restore", N_("恢复证书"), {BUREAU}, status=DONE, from_statuses={"suspended"}, needs_reason=True,
                   effects=(rules.restore_certificate,)),
               act("revoke", N_("撤销证书"), {BUREAU}, status="revoked", from_statuses={DONE, "suspended"},
                   needs_reason=True, effects=(rules.revoke_certificate,), style="danger")),
              final=True),
    ),
)

VERSIONS = (PINZIBIAO_V1,)
