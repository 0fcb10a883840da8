"""The counting rules' own choices (统计口径 options), read from the Setting rows with these defaults.

Each changes what an indicator counts, so a change bumps the ``settings:targets`` version and the cached figures
of the rules that read it are recomputed (``registry.targets.versions``).
"""
from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # 市级以上政府质量奖获奖组织: the plan's 13th-FYP result of 5 was 4 awards and one 提名奖, so 提名奖 counts.
    "targets.quality_award_orgs.count_nomination": True,
    # 制定"浙江制造"标准: the plan counts standards a Linhai enterprise led (主导); 参与 is shown beside it.
    "targets.zzb_standards.count_participants": False,
}
TOKEN = "settings:targets"


def get(key: str) -> Any:
    """The rule option ``key`` (stored value, else its default). Raises KeyError for a key not declared here."""
    from registry.services import settings

    if key not in DEFAULTS:
        raise KeyError(key)
    return settings.get(key, DEFAULTS[key])


def quality_award_types() -> tuple[str, ...]:
    if get("targets.quality_award_orgs.count_nomination"):
        return ("quality_award", "quality_award_nomination")
    return ("quality_award",)


def zzb_roles() -> tuple[str, ...]:
    return ("lead", "participant") if get("targets.zzb_standards.count_participants") else ("lead",)
