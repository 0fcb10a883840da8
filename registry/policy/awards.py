"""The award's rules: who runs rounds, and which entries a user reaches.

Entries: bureau/admin all; an enterprise account its own; a town reviewer its jurisdiction's; an expert only
entries where they hold a seat they have not declared a conflict on (a substitute seat too, to decline).
Outside scope: NotFound.
"""
from __future__ import annotations

from sqlalchemy import false, select, true

from registry.awards.models import AwardEntry, Expert, PanelMember
from registry.extensions import db
from registry.models import Enterprise
from registry.models.accounts import ROLE_ENTERPRISE, ROLE_EXPERT, ROLE_TOWN
from registry.policy import roles
from registry.policy.table import Rule


def expert_of(user) -> Expert | None:
    """The pool's expert row of an expert account (None for any other user)."""
    if roles.role(user) != ROLE_EXPERT:
        return None
    return db.session.scalar(select(Expert).where(Expert.user_id == user.id))


def entry_condition(user):
    """SQL condition limiting AwardEntry rows to the user's scope (nothing for a disabled account, as everywhere)."""
    if not roles.signed_in(user):
        return false()
    role = roles.role(user)
    if roles.staff(user):
        return true()
    if role == ROLE_ENTERPRISE and user.enterprise_id:
        return AwardEntry.enterprise_id == user.enterprise_id
    if role == ROLE_TOWN and user.jurisdiction_id:
        return AwardEntry.enterprise_id.in_(select(Enterprise.id).where(
            Enterprise.jurisdiction_id == user.jurisdiction_id))
    expert = expert_of(user)
    if expert is not None:
        return AwardEntry.id.in_(select(PanelMember.entry_id).where(
            PanelMember.expert_id == expert.id, PanelMember.conflict_declared_at.is_(None)))
    return false()


def _sees_entry(user, entry) -> bool:
    """None is the system (beat jobs): it reaches every entry."""
    if user is None:
        return True
    return db.session.scalar(select(AwardEntry.id).where(AwardEntry.id == entry.id, entry_condition(user))) \
        is not None


def _staff(user, _obj=None) -> bool:
    return roles.staff(user)


RULES = {
    "award.manage": Rule(_staff, "只有市局审核员可以进行此操作。"),
    "award_entry.view": Rule(_sees_entry, "未找到该申报。", hidden=True),
}
SCOPES = {"award_entry.view": entry_condition}
