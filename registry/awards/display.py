"""Labels and small view helpers shared by the award pages."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _

from registry.awards.kinds import may_grant
from registry.i18n import N_
from registry.services.errors import DomainError, ValidationFailed
from registry.vocab import HONOUR_LEVELS, Vocab

AWARD_TYPE_LABELS = Vocab(quality_award=N_("政府质量奖"), quality_award_nomination=N_("政府质量奖提名奖"),
                          quality_innovation_award=N_("政府质量创新奖"), quality_award_organisation=N_("政府质量奖组织奖"))
# A round that recommends upward waits for, then has, the higher body's outcome rather than the city's 审定.
RECOMMEND_STATUS_LABELS = Vocab(approval=N_("待登记上级评定结果"), finalised=N_("已登记评定结果"))
ROUND_MODE_LABELS = Vocab(award=N_("本级评选表彰"), recommend=N_("择优推荐上报"))
OUTCOME_LABELS = Vocab(won=N_("获奖"), not_won=N_("未获奖"))
ROUND_STATUS_LABELS = Vocab(draft=N_("筹备"), open=N_("申报与评审"), reviewing=N_("审议"), notice=N_("公示中"),
                            approval=N_("待政府审定"), finalised=N_("已表彰"))
REVIEW_STAGE_LABELS = Vocab(document=N_("材料评审"), presentation=N_("陈述答辩"), site=N_("现场评审"))
OBJECTION_LABELS = Vocab(open=N_("待调查核实"), upheld=N_("异议成立"), dismissed=N_("异议不成立"))
OBJECTION_SOURCE_LABELS = Vocab(online=N_("网上实名提交"), paper=N_("书面异议（市局登记）"))
COMMITTEE_ROLE_LABELS = Vocab(chair=N_("主任委员"), vice_chair=N_("副主任委员"), member=N_("委员"))
EXCLUSION_LABELS = Vocab(employer=N_("现任职单位"), former_employer=N_("曾任职单位"), consultant=N_("咨询服务关系"),
                         legal_rep=N_("担任法定代表人"), declared=N_("本人申报回避"), same_group=N_("同一集团"),
                         shared_legal_rep=N_("法定代表人相同"), load=N_("本批次评审任务已满"))
FUNNEL_LABELS = [("applied", N_("申报")), ("recommended", N_("推荐")), ("eligible", N_("资格审查通过")),
                 ("reviewed", N_("完成评审")), ("proposed", N_("拟表彰")), ("awarded", N_("已表彰"))]


def flash_errors(exc: ValidationFailed) -> None:
    for messages in exc.errors.values():
        for message in messages:
            flash(message, "danger")


def run_and_flash(use_case, success: str) -> bool:
    """A button's use case: flash ``success`` when it returns, else each validation message or the domain error
    (the page it redirects to shows them). Returns whether it succeeded."""
    try:
        use_case()
    except ValidationFailed as exc:
        flash_errors(exc)
        return False
    except DomainError as exc:
        flash(exc.message, "danger")
        return False
    flash(success, "success")
    return True


def _shown(vocab: Vocab):
    """The vocabulary's label for a code in the reader's language (the labels stay Chinese for storage and
    for parsing imports; pages translate them here)."""
    return lambda code: _(vocab.label(code)) if code in vocab else vocab.label(code)


def _round_status(round_) -> str:
    """A round's status in the reader's language, worded for its mode."""
    if round_.mode == "recommend" and round_.status in RECOMMEND_STATUS_LABELS:
        return _(RECOMMEND_STATUS_LABELS.label(round_.status))
    return _shown(ROUND_STATUS_LABELS)(round_.status)


def template_helpers() -> dict:
    return {"award_type_label": _shown(AWARD_TYPE_LABELS),
            "round_status_label": _round_status, "round_mode_label": _shown(ROUND_MODE_LABELS),
            "outcome_label": _shown(OUTCOME_LABELS), "level_label": HONOUR_LEVELS.label,
            "review_stage_label": _shown(REVIEW_STAGE_LABELS), "objection_label": _shown(OBJECTION_LABELS),
            "objection_source_label": _shown(OBJECTION_SOURCE_LABELS),
            "committee_role_label": _shown(COMMITTEE_ROLE_LABELS),
            "exclusion_label": _shown(EXCLUSION_LABELS),
            "funnel_labels": FUNNEL_LABELS,  # the page translates each
            "may_grant": may_grant}
