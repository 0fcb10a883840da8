"""Who a user is, as the rules read it: signed in, staff (bureau or administrator), administrator.

"Bureau staff or administrator" is written here once; every rule of ``registry.policy`` that gives the bureau a
power gives it to administrators too (an administrator is the bureau's superuser), except where a rule names
``admin`` alone.
"""
from __future__ import annotations

from registry.models.accounts import ROLE_ADMIN, ROLE_BUREAU

STAFF = frozenset({ROLE_BUREAU, ROLE_ADMIN})


def signed_in(user) -> bool:
    """An active account (Flask-Login: a disabled account is not authenticated); scopes reach nothing for others."""
    return user is not None and bool(getattr(user, "is_authenticated", False))


def role(user) -> str | None:
    """The account's role (a disabled account keeps it: the engine still names its relations), None for nobody
    (the system, anonymous visitors)."""
    return getattr(user, "role", None)


def staff(user) -> bool:
    """Bureau staff or an administrator (市局人员): they reach every enterprise and application."""
    return role(user) in STAFF


def admin(user) -> bool:
    return role(user) == ROLE_ADMIN
