"""The counting rules' own choices (统计口径 options), declared for the one reader ``registry.settings``.

Each changes what an indicator counts, so a change bumps the ``settings:targets`` version and the cached figures
of the rules that read it are recomputed (``registry.targets.versions``).
"""
from __future__ import annotations

from registry import settings
from registry.i18n import N_
from registry.settings import declare

SETTINGS = (
    # 市级以上政府质量奖获奖组织: the plan's 13th-FYP result of 5 was 4 awards and one 提名奖, so 提名奖 counts.
    declare("targets.quality_award_orgs.count_nomination", bool, True, N_("政府质量奖获奖组织计入提名奖")),
    # 制定"浙江制造"标准: the plan counts standards a Linhai enterprise led (主导); 参与 is shown beside it.
    declare("targets.zzb_standards.count_participants", bool, False, N_("“浙江制造”标准计入仅参与起草的标准")),
)
TOKEN = "settings:targets"


def quality_award_types() -> tuple[str, ...]:
    if settings.get("targets.quality_award_orgs.count_nomination"):
        return ("quality_award", "quality_award_nomination")
    return ("quality_award",)


def zzb_roles() -> tuple[str, ...]:
    return ("lead", "participant") if settings.get("targets.zzb_standards.count_participants") else ("lead",)
