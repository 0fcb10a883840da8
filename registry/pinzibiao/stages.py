"""Stages the 品字标 routes share, as builders: 品字标浙江制造 (标准 + 认证), 品字标浙江农产 and 品字标浙江服务 (认定), and
the 2023 route 标准 + 自我声明公开 + 信用保证. A route's definition is its own file; where its stage is the same as
another route's, both call the builder here, so a change to that stage is made once.
"""
from __future__ import annotations

from registry.i18n import N_
from registry.pinzibiao import rules
from workflows.spec import (DONE, DRAFT, NEXT, RETURNED, Auto, Field, Stage, act, resubmit, reviewer_actions,
                            withdraw)

APPLICANT, TOWN, BUREAU, CERTIFIER, SYSTEM = "applicant", "town", "bureau", "certifier", "system"
BODY = frozenset({CERTIFIER, BUREAU})  # a certification body's step: its staff, or the bureau from a paper result


def apply_stage(guard=rules.ready_to_submit) -> Stage:
    """申请: the enterprise fills in the draft and submits it."""
    return Stage("apply", N_("申请"), frozenset({APPLICANT}),
                 (act("submit", N_("提交申请"), {APPLICANT}, target=NEXT, from_statuses={DRAFT}, guard=guard),
                  withdraw()))


def town_recommendation() -> Stage:
    """镇街推荐 by the town reviewer of the enterprise's jurisdiction."""
    return Stage("town_recommendation", N_("镇街推荐"), frozenset({TOWN}),
                 reviewer_actions({TOWN}, act("recommend", N_("推荐"), {TOWN}, target=NEXT)), time_limit_days=5)


def pool_review() -> Stage:
    """入库审核: the bureau takes the candidate into the county's 品字标 cultivation pool (培育库)."""
    return Stage("pool_review", N_("入库审核"), frozenset({BUREAU}),
                 reviewer_actions({BUREAU}, act("accept", N_("同意入库"), {BUREAU}, target=NEXT)), time_limit_days=10)


def existing_standard() -> Field:
    """The 浙江制造 standard an application names when it is created or drafted (``rules.standard_problem``)."""
    return Field("standard_id", N_("已有“浙江制造”标准"), kind="standard", required=False, store=False,
                 check=rules.standard_problem, options=rules.standard_options)


def standard_route_fields() -> tuple[Field, ...]:
    """What an application on a route through a 浙江制造 standard gives when it is created (制造 and 自我声明)."""
    return (Field("product", N_("产品名称")), Field("standard_proposal", N_("拟制定标准名称"), required=False),
            Field("self_assessment", N_("自评价"), kind="textarea"), existing_standard())


def standard_drafting() -> Stage:
    """标准研制: the 浙江制造 standard is made in a provincial batch (批次): 立项 → 起草 → 征求意见 → 评审 → 发布, the
    bureau recording each step's date; 立项 can be refused, which returns the application to the enterprise. The
    stage completes by itself when the linked 浙江制造 standard is published."""
    step_fields = (Field("step_on", N_("日期"), kind="date", store=False),
                   Field("batch", N_("批次（立项时填写，如 2026年第一批）"), required=False, store=False))
    return Stage("standard_drafting", N_("标准研制"), frozenset({APPLICANT, BUREAU}),
                 (act("link_standard", N_("关联标准"), {APPLICANT, BUREAU}, style="plain",
                      fields=(Field("standard_id", N_("标准"), kind="standard", check=rules.standard_problem,
                                    options=rules.standard_options),),
                      effects=(rules.link_standard,)),
                  act("confirm_standard", N_("确认标准覆盖本产品"), {BUREAU}, style="plain", needs_reason=True,
                      guard=rules.needs_confirmation, effects=(rules.confirm_standard,)),
                  act("record_standard_step", N_("记录标准研制进度"), {BUREAU}, style="plain",
                      fields=(Field("standard_step", N_("环节"), choices=rules.standard_step_choices, store=False),
                              *step_fields),
                      effects=(rules.record_standard_step,)),
                  act("refuse_initiation", N_("立项未通过，退回企业"), {BUREAU}, status=RETURNED, needs_reason=True,
                      style="plain", fields=step_fields, guard=rules.not_yet_initiated,
                      effects=(rules.record_initiation_refused,)),
                  act("standard_published", N_("标准已发布"), {BUREAU, SYSTEM}, target=NEXT,
                      guard=rules.standard_published),
                  act("reject", N_("终止培育"), {BUREAU}, status="rejected", needs_reason=True, style="danger"),
                  resubmit(),
                  withdraw()),
                 time_limit_days=250, auto=(Auto("standard_published", when=rules.standard_published),))


def recorded_step(name: str, label: str, forward: str, forward_label: str, limit: int,
                  roles: frozenset[str] = frozenset({BUREAU})) -> Stage:
    """A step another body decides and ``roles`` record: its result moves on; or reject; or return for material."""
    return Stage(name, label, roles,
                 (act(forward, forward_label, roles, target=NEXT),
                  act("reject", N_("不予通过"), roles, status="rejected", needs_reason=True, style="danger"),
                  act("return", N_("退回补正"), roles, status="returned", needs_reason=True, style="plain"),
                  resubmit(), withdraw()),
                 time_limit_days=limit)


def body_choice() -> Stage:
    """申请认证: the applicant (or the bureau for it) applies to an accredited certification body of the catalogue;
    from here the body's ``certifier`` accounts see the application."""
    return Stage("body_choice", N_("申请认证"), frozenset({APPLICANT}),
                 (act("choose_body", N_("向认证机构提交认证申请"), {APPLICANT, BUREAU}, target=NEXT,
                      fields=(Field("certification_body_id", N_("认证机构"), kind="id", choices=rules.body_choices,
                                    store=False, check=rules.body_problem),),
                      effects=(rules.assign_body,)),
                  withdraw()),
                 time_limit_days=20)


def body_step(name: str, label: str, forward: str, forward_label: str, limit: int,
              fields: tuple[Field, ...] = ()) -> Stage:
    """A step the certification body decides (浙江制造认证实施细则): its staff record the result, or the bureau does
    from a paper result; the history row says which (``rules.note_recorder``)."""
    return Stage(name, label, frozenset({CERTIFIER}),
                 (act(forward, forward_label, BODY, target=NEXT, fields=fields, effects=(rules.note_recorder,)),
                  act("reject", N_("不予通过"), BODY, status="rejected", needs_reason=True, style="danger",
                      effects=(rules.note_recorder,)),
                  act("return", N_("退回补正"), BODY, status="returned", needs_reason=True, style="plain",
                      effects=(rules.note_recorder,)),
                  resubmit(), withdraw()),
                 time_limit_days=limit)


def certificate_fields(number=N_("证书编号"), issuer=N_("认证机构"), issued=N_("发证日期"),
                       issuer_required=True) -> tuple[Field, ...]:
    """What registering a 品字标 certificate (or 认定/登记) takes; ``rules.issue_certificate`` reads these names."""
    return (Field("cert_number", number), Field("issuer", issuer, required=issuer_required),
            Field("issued_on", issued, kind="date"),
            Field("expires_on", N_("有效期至"), kind="date", required=False))


def holder_stage(name: str, label: str, certified_by_body: bool = False) -> Stage:
    """The final stage of a route: the enterprise holds the 品字标 (its registry Certification); yearly surveillance,
    suspension, restoration and revocation update that certificate.

    ``certified_by_body``: a certificate a certification body issued (获证后监督, 浙江制造认证实施细则): the body's staff
    act (or the bureau from a paper result), a failed surveillance suspends, and 注销, 再认证 at expiry, 扩项 and 变更
    follow; each updates the registry Certification (its change history records it) and the application's log.
    """
    roles = BODY if certified_by_body else frozenset({BUREAU})
    note = (rules.note_recorder,) if certified_by_body else ()
    actions = (
        act("record_surveillance", N_("记录年度监督") if not certified_by_body else N_("记录监督审核：通过"), roles,
            from_statuses={DONE}, style="plain",
            fields=(Field("surveyed_on", N_("监督日期"), kind="date"),
                    Field("result", N_("结论"), required=False)),
            effects=(*note, rules.record_surveillance)),
        act("suspend", N_("暂停证书"), roles, status="suspended", from_statuses={DONE}, needs_reason=True,
            effects=(*note, rules.suspend_certificate), style="danger"),
        act("restore", N_("恢复证书"), roles, status=DONE, from_statuses={"suspended"}, needs_reason=True,
            effects=(*note, rules.restore_certificate)),
        act("revoke", N_("撤销证书"), roles, status="revoked", from_statuses={DONE, "suspended"},
            needs_reason=True, effects=(*note, rules.revoke_certificate), style="danger"))
    if certified_by_body:
        actions += (
            act("surveillance_failed", N_("记录监督审核：不通过（暂停证书）"), roles, status="suspended",
                from_statuses={DONE}, needs_reason=True, style="danger",
                fields=(Field("surveyed_on", N_("监督日期"), kind="date"),),
                effects=(*note, rules.record_failed_surveillance, rules.suspend_certificate)),
            act("cancel", N_("注销证书"), roles, status="cancelled", from_statuses={DONE, "suspended"},
                needs_reason=True, effects=(*note, rules.cancel_certificate), style="danger"),
            act("recertify", N_("再认证"), roles, from_statuses={DONE}, style="plain",
                fields=(Field("expires_on", N_("再认证后有效期至"), kind="date", store=False),
                        Field("cert_number", N_("新证书编号（不变则留空）"), required=False, store=False)),
                effects=(*note, rules.recertify)),
            act("extend_scope", N_("扩项"), roles, from_statuses={DONE}, style="plain",
                fields=(Field("scope_added", N_("扩项的产品/型号"), store=False),),
                effects=(*note, rules.extend_scope)),
            act("change", N_("变更"), roles, from_statuses={DONE}, style="plain",
                fields=(Field("change_note", N_("变更内容（如企业名称、地址、型号）"), store=False),
                        Field("scope", N_("变更后的产品/范围（不变则留空）"), required=False, store=False)),
                effects=(*note, rules.change_certificate)))
    return Stage(name, label, frozenset(), actions, final=True)


def recognition_stages(cert_type: str) -> tuple[Stage, ...]:
    """认定 (品字标浙江农产, 品字标浙江服务): after the county's 入库审核 the province's 认定 body reviews the material,
    checks on site and decides; the bureau records each result and the 认定 certificate (``cert_type``)."""
    return (
        recorded_step("recognition_review", N_("认定材料审查"), "review_passed", N_("记录：材料审查通过"), 20),
        recorded_step("site_check", N_("现场核查"), "site_check_passed", N_("记录：现场核查通过"), 30),
        Stage("recognition_decision", N_("认定决定"), frozenset({BUREAU}),
              (act("issue_certificate", N_("登记认定证书"), {BUREAU}, target=NEXT,
                   effects=(rules.issue_certificate(cert_type),),
                   fields=certificate_fields(N_("认定证书编号"), N_("认定机构"), N_("认定日期"))),
               act("reject", N_("不予认定"), {BUREAU}, status="rejected", needs_reason=True, style="danger"),
               withdraw()),
              time_limit_days=20),
        holder_stage("recognised", N_("获得认定")),
    )
