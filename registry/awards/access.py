"""The award's lookups within the user's reach: rounds, entries and an expert's panel seat.

The rules themselves (who runs rounds, which entries a user reaches) are ``registry.policy``'s (``award.manage``,
``award_entry.view``); the names here keep the award's services short.
"""
from __future__ import annotations

from sqlalchemy import select

from registry import policy
from registry.awards.models import AwardEntry, AwardRound, PanelMember
from registry.extensions import db
from registry.models import User
from registry.policy.awards import expert_of
from registry.services.errors import NotFound

__all__ = ["expert_of", "get_entry", "get_round", "require_bureau", "seat_of"]


def require_bureau(user: User | None) -> None:
    """Raises Forbidden unless the user runs the award."""
    policy.check(user, "award.manage")


def get_round(round_id: int) -> AwardRound:
    found = db.session.get(AwardRound, round_id)
    if found is None:
        raise NotFound("未找到该评选批次。")
    return found


def seat_of(user: User, entry_id: int) -> PanelMember | None:
    """The expert's current seat on the entry's panel (seated or waiting as substitute)."""
    expert = expert_of(user)
    if expert is None:
        return None
    return db.session.scalar(select(PanelMember).where(
        PanelMember.entry_id == entry_id, PanelMember.expert_id == expert.id,
        PanelMember.replaced_by_id.is_(None), PanelMember.conflict_declared_at.is_(None)))


def get_entry(user: User | None, entry_id: int) -> AwardEntry:
    """The entry if the user may see it. ``user`` None means the system (beat jobs). Raises NotFound."""
    query = select(AwardEntry).where(AwardEntry.id == entry_id)
    if user is not None:
        query = query.where(policy.scope(user, "award_entry.view"))
    entry = db.session.scalar(query)
    if entry is None:
        raise NotFound("未找到该申报。")
    return entry
