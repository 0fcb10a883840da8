"""Who a user is, as the rules read it: signed in, staff (bureau or administrator), administrator.

"Bureau staff or administrator" is written here once; every rule of ``registry.policy`` that gives the bureau a
power gives it to administrators too (an administrator is the bureau's superuser), except where a rule names
``admin`` alone.
"""
from __future__ import annotations

from registry.models.accounts import ROLE_ADMIN, ROLE_BUREAU

STAFF = frozenset({ROLE_BUREAU, ROLE_ADMIN})


def signed_in(user) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def role(user) -> str | None:
    """The user's role, None for nobody (anonymous visitors, the system)."""
    return getattr(user, "role", None) if signed_in(user) else None


def staff(user) -> bool:
    """Bureau staff or an administrator (市局人员): they reach every enterprise and application."""
    return role(user) in STAFF


def admin(user) -> bool:
    return role(user) == ROLE_ADMIN
