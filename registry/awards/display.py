"""Labels and small view helpers shared by the award pages."""
from __future__ import annotations

from flask import flash

from registry.services.errors import DomainError, ValidationFailed
from registry.vocab import HONOUR_LEVELS, Vocab

AWARD_TYPE_LABELS = Vocab(quality_award="政府质量奖", quality_award_nomination="政府质量奖提名奖")
ROUND_STATUS_LABELS = Vocab(draft="筹备", open="申报与评审", reviewing="审议", notice="公示中", finalised="已表彰")
REVIEW_STAGE_LABELS = Vocab(document="材料评审", presentation="陈述答辩", site="现场评审")
OBJECTION_LABELS = Vocab(open="待处理", upheld="异议成立", dismissed="异议不成立")
EXCLUSION_LABELS = Vocab(employer="现任职单位", former_employer="曾任职单位", consultant="咨询服务关系",
                         legal_rep="担任法定代表人", declared="本人申报回避", same_group="同一集团",
                         shared_legal_rep="法定代表人相同", load="本批次评审任务已满")
FUNNEL_LABELS = [("applied", "申报"), ("recommended", "推荐"), ("eligible", "资格审查通过"), ("reviewed", "完成评审"),
                 ("proposed", "拟表彰"), ("awarded", "已表彰")]


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


def template_helpers() -> dict:
    return {"award_type_label": AWARD_TYPE_LABELS.label,
            "round_status_label": ROUND_STATUS_LABELS.label, "level_label": HONOUR_LEVELS.label,
            "review_stage_label": REVIEW_STAGE_LABELS.label, "objection_label": OBJECTION_LABELS.label,
            "exclusion_label": EXCLUSION_LABELS.label, "funnel_labels": FUNNEL_LABELS}
