"""品字标浙江制造 cultivation and certification (domain.md section 3), as data.

apply → town recommendation → bureau acceptance into the cultivation pool → standard drafting (completes by
itself when the linked standard is published) → certification: body acceptance → product testing → factory
audit → decision → certified (the certificate becomes a registry Certification; surveillance, suspension,
restoration and revocation follow).
"""
from __future__ import annotations

from workflows.definitions import pinzibiao_rules as rules
from workflows.spec import (DONE, DRAFT, IN_PROGRESS, NEXT, Auto, Field, Stage, Workflow, act, resubmit,
                            reviewer_actions, withdraw)

APPLICANT, TOWN, BUREAU, SYSTEM = "applicant", "town", "bureau", "system"

_cert_step = lambda name, label, forward, limit: Stage(  # noqa: E731
    name, label, frozenset({BUREAU}),
    (act(forward, "记录:" + label + "通过", {BUREAU}, target=NEXT),
     act("reject", "不予通过", {BUREAU}, status="rejected", needs_reason=True, style="danger"),
     act("return", "退回补正", {BUREAU}, status="returned", needs_reason=True, style="plain"),
     resubmit(), withdraw()),
    time_limit_days=limit)

PINZIBIAO_V1 = Workflow(
    name="pinzibiao", version=1, label="品字标浙江制造培育认证",
    fields=(Field("product", "产品名称"), Field("standard_proposal", "拟制定标准名称", required=False),
            Field("self_assessment", "自评价", kind="textarea")),
    stages=(
        Stage("apply", "申请", frozenset({APPLICANT}),
              (act("submit", "提交申请", {APPLICANT}, target=NEXT, from_statuses={DRAFT}, guard=rules.ready_to_submit),
               withdraw())),
        Stage("town_recommendation", "镇街推荐", frozenset({TOWN}),
              reviewer_actions({TOWN}, act("recommend", "推荐", {TOWN}, target=NEXT)), time_limit_days=5),
        Stage("pool_review", "入库审核", frozenset({BUREAU}),
              reviewer_actions({BUREAU}, act("accept", "同意入库", {BUREAU}, target=NEXT)), time_limit_days=10),
        Stage("standard_drafting", "标准研制", frozenset({APPLICANT, BUREAU}),
              (act("link_standard", "关联标准", {APPLICANT, BUREAU}, style="plain",
                   fields=(Field("standard_id", "标准", kind="standard"),), effects=(rules.link_standard,)),
               act("standard_published", "标准已发布", {BUREAU, SYSTEM}, target=NEXT, guard=rules.standard_published),
               act("reject", "终止培育", {BUREAU}, status="rejected", needs_reason=True, style="danger"),
               withdraw()),
              time_limit_days=250, auto=(Auto("standard_published", when=rules.standard_published),)),
        _cert_step("cert_acceptance", "认证受理", "body_accepted", 10),
        _cert_step("product_testing", "产品检测", "testing_passed", 30),
        _cert_step("factory_audit", "工厂审查", "audit_passed", 30),
        Stage("cert_decision", "认证决定", frozenset({BUREAU}),
              (act("issue_certificate", "登记证书", {BUREAU}, target=NEXT, effects=(rules.create_certification,),
                   fields=(Field("cert_number", "证书编号"), Field("issuer", "认证机构"),
                           Field("issued_on", "发证日期", kind="date"),
                           Field("expires_on", "有效期至", kind="date", required=False))),
               act("reject", "不予认证", {BUREAU}, status="rejected", needs_reason=True, style="danger"),
               withdraw()),
              time_limit_days=20),
        Stage("certified", "获证", frozenset(),
              (act("record_surveillance", "记录年度监督", {BUREAU}, from_statuses={DONE}, style="plain",
                   fields=(Field("surveyed_on", "监督日期", kind="date"), Field("result", "结论", required=False)),
                   effects=(rules.record_surveillance,)),
               act("suspend", "暂停证书", {BUREAU}, status="suspended", from_statuses={DONE}, needs_reason=True,
                   effects=(rules.suspend_certificate,), style="danger"),
               act("restore", "恢复证书", {BUREAU}, status=DONE, from_statuses={"suspended"}, needs_reason=True,
                   effects=(rules.restore_certificate,)),
               act("revoke", "撤销证书", {BUREAU}, status="revoked", from_statuses={DONE, "suspended"},
                   needs_reason=True, effects=(rules.revoke_certificate,), style="danger")),
              final=True),
    ),
)

VERSIONS = (PINZIBIAO_V1,)
