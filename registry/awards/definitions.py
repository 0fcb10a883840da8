"""Government quality award nomination (政府质量奖, domain.md section 4), as data.

申报 → 推荐 (town) → 资格审查 (bureau, on the registry check) → 材料评审 (expert panel) → 入围 (version 2: the
round's shortlist) → 陈述答辩 (only when the round switches it on; otherwise the system passes it at once) → 现场评审
→ 审议 (the committee votes, within the quota) → 公示 (the round's notice window; objections hold it) → 政府审定
(version 2: the government's decision, 文号 and date; version 3: or, for a round that recommends upward, the
higher body's outcome, and a recommendation not won ends there) → 批准 (the Honour is in the registry; revocable).

The award's own tables (rounds, eligibility evidence, panels, scores, objections) live in ``registry.awards``;
its guards (``flow.py``) read them, so the system moves an application only when the award's domain says so.
Registered with the engine through ``registry/workflow_definitions.py``; keep every version applications name.
"""
from __future__ import annotations

from registry.awards import flow as rules
from registry.i18n import N_
from workflows.spec import (DONE, DRAFT, NEXT, REJECTED, Auto, Field, Stage, Workflow, act, reviewer_actions,
                            withdraw)

APPLICANT, TOWN, BUREAU, EXPERT, SYSTEM = "applicant", "town", "bureau", "expert", "system"


def _review(name: str, label: str, done: str, done_label: str, guard, limit_days: int) -> Stage:
    """A panel stage: experts score in the award's pages; it completes by itself once the scores settle."""
    return Stage(name, label, frozenset({EXPERT, BUREAU}), (
        act(done, done_label, {BUREAU, SYSTEM}, target=NEXT, guard=guard),
        act("reject", N_("终止评审"), {BUREAU}, status=REJECTED, needs_reason=True, style="danger"),
        withdraw()),
        time_limit_days=limit_days, time_limit_setting=f"quality_award.{name}_days", auto=(Auto(done, when=guard),))


QUALITY_AWARD_V1 = Workflow(
    name="quality_award", version=1, label=N_("政府质量奖申报"),
    fields=(Field("round_id", N_("申报批次"), kind="id", check=rules.round_problem),),
    due_date=rules.stage_due_date,  # the round's stage deadlines, where it sets them
    page_endpoint="awards.application_show",  # scores, eligibility evidence and panels live on the award's page
    stages=(
        Stage("apply", N_("申报"), frozenset({APPLICANT}), (
            act("submit", N_("提交申报"), {APPLICANT}, target=NEXT, from_statuses={DRAFT}, guard=rules.ready_to_submit,
                effects=(rules.enter_round,)),
            withdraw())),
        Stage("recommend", N_("推荐"), frozenset({TOWN}),
              reviewer_actions({TOWN}, act("recommend", N_("推荐"), {TOWN}, target=NEXT)),
              time_limit_days=10, time_limit_setting="quality_award.recommend_days"),
        Stage("eligibility", N_("资格审查"), frozenset({BUREAU}),
              reviewer_actions({BUREAU}, act("pass_eligibility", N_("资格审查通过"), {BUREAU}, target=NEXT,
                                             guard=rules.eligible_decided)),
              time_limit_days=10, time_limit_setting="quality_award.eligibility_days"),
        _review("document_review", N_("材料评审"), "complete_document_review", N_("材料评审完成"), rules.document_settled, 20),
        _review("presentation", N_("陈述答辩"), "complete_presentation", N_("陈述答辩完成"), rules.presentation_done, 10),
        _review("site_review", N_("现场评审"), "complete_site_review", N_("现场评审完成"), rules.site_settled, 20),
        Stage("deliberation", N_("审议"), frozenset({BUREAU}), (
            act("to_notice", N_("列入公示"), {BUREAU, SYSTEM}, target=NEXT, guard=rules.proposed_in_notice),
            act("not_selected", N_("未列入拟表彰名单"), {BUREAU, SYSTEM}, status=REJECTED, guard=rules.not_selected,
                style="plain"),
            withdraw()),
            time_limit_days=15, time_limit_setting="quality_award.deliberation_days",
            auto=(Auto("to_notice", when=rules.proposed_in_notice), Auto("not_selected", when=rules.not_selected))),
        # The window is the round's (7 calendar or working days, objections hold it): no stage deadline here.
        Stage("notice", N_("公示"), frozenset({BUREAU}), (
            act("approve", N_("公示期满，批准表彰"), {BUREAU, SYSTEM}, target=NEXT, guard=rules.honoured),
            act("objection_upheld", N_("异议成立，取消拟表彰"), {BUREAU, SYSTEM}, status=REJECTED,
                guard=rules.objection_upheld, style="danger")),
            auto=(Auto("approve", when=rules.honoured), Auto("objection_upheld", when=rules.objection_upheld))),
        Stage("approved", N_("批准表彰"), frozenset(), (
            act("revoke", N_("撤销荣誉"), {BUREAU}, status="revoked", from_statuses={DONE}, style="danger",
                fields=(Field("revoke_reason", N_("撤销原因"), kind="textarea"), Field("evidence", N_("撤销依据")),
                        Field("revoked_on", N_("撤销日期"), kind="date")),
                effects=(rules.revoke_honour,)),),
            final=True),
    ),
)

def _with(stages: tuple[Stage, ...], after: str, *new: Stage) -> tuple[Stage, ...]:
    """``stages`` with ``new`` inserted after the stage named ``after``."""
    at = [s.name for s in stages].index(after) + 1
    return stages[:at] + new + stages[at:]


_V1 = {s.name: s for s in QUALITY_AWARD_V1.stages}

# Version 2 (issue 15): the award's last steps as the rules run them. After 材料评审 a shortlist (入围): the round's
# minimum document score and maximum count; the others are told and closed. The 评审委员会 votes (committee.py).
# After 公示 the city government approves (审定: 文号, date) and only then is the Honour created.
SHORTLIST = Stage("shortlist", N_("入围"), frozenset({BUREAU}), (
    act("shortlisted", N_("入围，进入下一环节"), {BUREAU, SYSTEM}, target=NEXT, guard=rules.shortlisted),
    act("not_shortlisted", N_("未入围现场评审"), {BUREAU, SYSTEM}, status=REJECTED, guard=rules.not_shortlisted,
        style="plain"),
    withdraw()),
    auto=(Auto("shortlisted", when=rules.shortlisted), Auto("not_shortlisted", when=rules.not_shortlisted)))
NOTICE_V2 = Stage("notice", N_("公示"), frozenset({BUREAU}), (
    act("notice_closed", N_("公示期满，报请政府审定"), {BUREAU, SYSTEM}, target=NEXT, guard=rules.notice_closed_clear),
    act("objection_upheld", N_("异议成立，取消拟表彰"), {BUREAU, SYSTEM}, status=REJECTED,
        guard=rules.objection_upheld, style="danger")),
    auto=(Auto("notice_closed", when=rules.notice_closed_clear),
          Auto("objection_upheld", when=rules.objection_upheld)))
# The bureau records the government's decision on the round (notice.approve); the application follows it.
APPROVAL = Stage("approval", N_("政府审定"), frozenset({BUREAU}), (
    act("approve", N_("政府审定，批准表彰"), {BUREAU, SYSTEM}, target=NEXT, guard=rules.honoured),),
    auto=(Auto("approve", when=rules.honoured),))

QUALITY_AWARD_V2 = Workflow(
    name="quality_award", version=2, label=QUALITY_AWARD_V1.label, fields=QUALITY_AWARD_V1.fields,
    due_date=rules.stage_due_date, page_endpoint="awards.application_show",
    stages=_with(tuple(NOTICE_V2 if s.name == "notice" else s for s in _with(
        QUALITY_AWARD_V1.stages, "document_review", SHORTLIST)), "notice", APPROVAL),
)

# Version 3 (issue 15 item 9): rounds above 临海 (台州, provincial, national) only recommend upward. After the notice
# the list goes up; in the 审定 step the bureau records the government's decision (临海) or the higher body's outcome
# (outcome.py): an entry recorded as won gets its Honour and is approved, one recorded as not won ends here.
NOTICE_V3 = Stage("notice", NOTICE_V2.label, NOTICE_V2.actors, (
    act("notice_closed", N_("公示期满，报请审定或上报推荐"), {BUREAU, SYSTEM}, target=NEXT, guard=rules.notice_closed_clear),
    *NOTICE_V2.actions[1:]), auto=NOTICE_V2.auto)
APPROVAL_V3 = Stage("approval", N_("审定"), frozenset({BUREAU}), (
    act("approve", N_("审定获奖，批准表彰"), {BUREAU, SYSTEM}, target=NEXT, guard=rules.honoured),
    act("not_won", N_("上级评定未获奖"), {BUREAU, SYSTEM}, status=REJECTED, guard=rules.not_won, style="plain")),
    auto=(Auto("approve", when=rules.honoured), Auto("not_won", when=rules.not_won)))

QUALITY_AWARD_V3 = Workflow(
    name="quality_award", version=3, label=QUALITY_AWARD_V1.label, fields=QUALITY_AWARD_V1.fields,
    due_date=rules.stage_due_date, page_endpoint="awards.application_show",
    stages=tuple({"notice": NOTICE_V3, "approval": APPROVAL_V3}.get(s.name, s) for s in QUALITY_AWARD_V2.stages),
)

VERSIONS = (QUALITY_AWARD_V1, QUALITY_AWARD_V2, QUALITY_AWARD_V3)
