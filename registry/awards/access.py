"""Who may reach which round, entry and panel seat: the award's scoping rules in one place.

Entries: bureau/admin all; an enterprise account its own; a town reviewer its jurisdiction's; an expert
only entries where they hold an active seat (or a substitute seat, to decline). Outside scope: NotFound.
"""
from __future__ import annotations

from sqlalchemy import select

from registry.awards.models import AwardEntry, AwardRound, Expert, PanelMember
from registry.extensions import db
from registry.models import User
from registry.services.errors import Forbidden, NotFound


def is_bureau(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.role in ("bureau", "admin")


def require_bureau(user: User | None) -> None:
    """Raises Forbidden unless the user is bureau staff or an administrator."""
    if not is_bureau(user):
        raise Forbidden("只有市局审核员可以进行此操作。")


def get_round(round_id: int) -> AwardRound:
    found = db.session.get(AwardRound, round_id)
    if found is None:
        raise NotFound("未找到该评选批次。")
    return found


def expert_of(user: User | None) -> Expert | None:
    if user is None or getattr(user, "role", None) != "expert":
        return None
    return db.session.scalar(select(Expert).where(Expert.user_id == user.id))


def seat_of(user: User, entry_id: int) -> PanelMember | None:
    """The expert's current seat on the entry's panel (seated or waiting as substitute)."""
    expert = expert_of(user)
    if expert is None:
        return None
    return db.session.scalar(select(PanelMember).where(
        PanelMember.entry_id == entry_id, PanelMember.expert_id == expert.id,
        PanelMember.replaced_by_id.is_(None), PanelMember.conflict_declared_at.is_(None)))


def entry_condition(user: User):
    """SQL condition limiting AwardEntry rows to the user's scope."""
    from registry.models import Enterprise
    from sqlalchemy import false, true

    if is_bureau(user):
        return true()
    if user.role == "enterprise" and user.enterprise_id:
        return AwardEntry.enterprise_id == user.enterprise_id
    if user.role == "town" and user.jurisdiction_id:
        return AwardEntry.enterprise_id.in_(select(Enterprise.id).where(
            Enterprise.jurisdiction_id == user.jurisdiction_id))
    expert = expert_of(user)
    if expert is not None:
        return AwardEntry.id.in_(select(PanelMember.entry_id).where(
            PanelMember.expert_id == expert.id, PanelMember.conflict_declared_at.is_(None)))
    return false()


def get_entry(user: User | None, entry_id: int) -> AwardEntry:
    """The entry if the user may see it. ``user`` None means the system (beat jobs). Raises NotFound."""
    query = select(AwardEntry).where(AwardEntry.id == entry_id)
    if user is not None:
        query = query.where(entry_condition(user))
    entry = db.session.scalar(query)
    if entry is None:
        raise NotFound("未找到该申报。")
    return entry
