"""What the signed-in user may reach: the one place registry queries are scoped.

- enterprise accounts: their own enterprise only (read and write);
- town reviewers: enterprises of their jurisdiction (read only);
- bureau staff and administrators: everything;
- experts: no registry access (they see applications drawn to them, through the workflow pages).
Anything outside scope answers NotFound, never Forbidden, so ids cannot be probed.
"""
from __future__ import annotations

from sqlalchemy import Select, false, select, true

from registry.extensions import db
from registry.models import Enterprise, User
from registry.models.accounts import ROLE_ADMIN, ROLE_BUREAU, ROLE_ENTERPRISE, ROLE_TOWN
from registry.services.errors import Forbidden, NotFound


def enterprise_condition(user: User):
    """A SQL condition on ``Enterprise`` limiting rows to the user's scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role in (ROLE_BUREAU, ROLE_ADMIN):
        return true()
    if user.role == ROLE_ENTERPRISE and user.enterprise_id:
        return Enterprise.id == user.enterprise_id
    if user.role == ROLE_TOWN and user.jurisdiction_id:
        return Enterprise.jurisdiction_id == user.jurisdiction_id
    return false()


def scoped_enterprises(user: User) -> Select:
    return select(Enterprise).where(enterprise_condition(user))


def can_browse_registry(user: User) -> bool:
    """Whether the user has a registry list at all (enterprise accounts see only their own page)."""
    return user.role in (ROLE_BUREAU, ROLE_ADMIN, ROLE_TOWN)


def can_edit(user: User, enterprise: Enterprise) -> bool:
    if user.role in (ROLE_BUREAU, ROLE_ADMIN):
        return True
    return user.role == ROLE_ENTERPRISE and user.enterprise_id == enterprise.id


def can_create_enterprise(user: User) -> bool:
    return user.role in (ROLE_BUREAU, ROLE_ADMIN)


def can_delete_enterprise(user: User) -> bool:
    return user.role in (ROLE_BUREAU, ROLE_ADMIN)


def can_override_uscc(user: User) -> bool:
    return user.role in (ROLE_BUREAU, ROLE_ADMIN)


def get_enterprise(user: User, enterprise_id: int, *, for_edit: bool = False) -> Enterprise:
    """The enterprise if the user may see it (and edit it, with ``for_edit``).

    Raises NotFound when it does not exist or is outside scope, Forbidden when visible but read-only.
    """
    enterprise = db.session.scalar(scoped_enterprises(user).where(Enterprise.id == enterprise_id))
    if enterprise is None:
        raise NotFound("未找到该企业。")
    if for_edit and not can_edit(user, enterprise):
        raise Forbidden("您没有修改该企业信息的权限。")
    return enterprise
