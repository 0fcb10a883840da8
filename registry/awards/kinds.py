"""Award kinds (奖项) per level and how a round of each level runs (domain.md section 4).

A kind's code is the Honour type it grants (``registry.vocab.HONOUR_TYPES``). Each level offers 质量奖, 提名奖 and
创新奖, the provincial award also 组织奖; 中国质量奖 has only the award and its 提名奖. An entry applies for one kind;
the 提名奖 is not applied for: it goes to entries for the 质量奖 that rank below the award's places.

Only the 临海市政府质量奖 is decided here (the city government's 审定 creates the honour). For the 台州, provincial and
national awards the county selects and recommends upward, then records the higher body's outcome (won or not, its
文号 and date); an honour is created only for an entry recorded as won.
"""
from __future__ import annotations

QUALITY, NOMINATION, INNOVATION, ORGANISATION = (
    "quality_award", "quality_award_nomination", "quality_innovation_award", "quality_award_organisation")
KINDS = (QUALITY, NOMINATION, INNOVATION, ORGANISATION)
LEVEL_KINDS = {
    "linhai": (QUALITY, NOMINATION, INNOVATION),
    "taizhou": (QUALITY, NOMINATION, INNOVATION),
    "provincial": (QUALITY, NOMINATION, INNOVATION, ORGANISATION),
    "national": (QUALITY, NOMINATION),
}
# What an entry applies for -> the kinds it may be granted.
GRANTS = {QUALITY: (QUALITY, NOMINATION), INNOVATION: (INNOVATION,), ORGANISATION: (ORGANISATION,)}
ENTRY_KINDS = tuple(GRANTS)

AWARD, RECOMMEND = "award", "recommend"
MODES = (AWARD, RECOMMEND)
OUTCOMES = ("won", "not_won")


def mode_for(level: str) -> str:
    """A round decides its own award only at the county's level; above it the county recommends upward."""
    return AWARD if level == "linhai" else RECOMMEND


def level_kinds(level: str) -> tuple[str, ...]:
    return LEVEL_KINDS.get(level, (QUALITY, NOMINATION))


def entry_kinds(award_types: list[str] | tuple[str, ...]) -> list[str]:
    """The kinds an enterprise may apply for in a round awarding ``award_types`` (in the order of ``KINDS``)."""
    return [k for k in ENTRY_KINDS if any(g in award_types for g in GRANTS[k])]


def may_grant(entry_kind: str | None, kind: str) -> bool:
    """Whether an entry for ``entry_kind`` may be proposed for, or be recorded as having won, ``kind``."""
    return kind in GRANTS.get(entry_kind or QUALITY, ())
