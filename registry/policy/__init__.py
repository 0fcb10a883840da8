"""Who may see or do what: one table of actions, each decided by one function (CKAN's ``check_access``).

    policy.can(user, "enterprise.edit", enterprise)      -> bool
    policy.check(user, "enterprise.edit", enterprise)    -> None, or raises Forbidden (NotFound for a rule
                                                            marked hidden: outside scope an object does not exist)
    policy.scope(user, "enterprise.view")                -> a SQL condition: the rows of that action's model the
                                                            user reaches (``select(Enterprise).where(...)``)

An action no rule decides raises ``UnknownAction``. ``user`` None is the system (beat jobs, the engine's own
steps). Views, the API, services, the workflow engine and the security tests all ask here; the rules are written
per topic (``enterprises``, ``applications``, ``awards``, ``administration``) and "bureau staff or administrator"
once, in ``roles``.
"""
from __future__ import annotations

from sqlalchemy import select

from registry.extensions import db
from registry.models import Enterprise
from registry.policy import administration, applications, awards, enterprises, roles
from registry.policy.applications import holders, inbox_relation, is_assigned, may_take, relations
from registry.policy.table import Rule, UnknownAction, merge
from registry.services.errors import Forbidden, NotFound

ACTIONS: dict[str, Rule] = merge(enterprises.RULES, applications.RULES, awards.RULES, administration.RULES)
SCOPES = merge(enterprises.SCOPES, applications.SCOPES, awards.SCOPES, administration.SCOPES)

__all__ = ["ACTIONS", "SCOPES", "UnknownAction", "can", "check", "scope", "get_enterprise", "holders",
           "inbox_relation", "is_assigned", "may_take", "relations", "roles", "creatable_roles"]
creatable_roles = administration.creatable_roles


def rule(action: str) -> Rule:
    try:
        return ACTIONS[action]
    except KeyError:
        raise UnknownAction(action) from None


def can(user, action: str, obj=None) -> bool:
    """Whether ``user`` may take ``action`` (on ``obj``). Raises UnknownAction."""
    return bool(rule(action).decide(user, obj))


def check(user, action: str, obj=None) -> None:
    """Raises Forbidden (NotFound for a hidden rule) unless ``user`` may take ``action``; UnknownAction."""
    found = rule(action)
    if not found.decide(user, obj):
        raise (NotFound if found.hidden else Forbidden)(found.refusal)


def scope(user, action: str):
    """The SQL condition on the action's model limiting rows to those ``user`` reaches. Raises UnknownAction."""
    try:
        condition = SCOPES[action]
    except KeyError:
        raise UnknownAction(action) from None
    return condition(user)


def get_enterprise(user, enterprise_id: int, *, for_edit: bool = False):
    """The enterprise if the user may see it (and edit it, with ``for_edit``).

    Raises NotFound when it does not exist or is outside scope, Forbidden when visible but read-only.
    """
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id,
                                                            scope(user, "enterprise.view")))
    if enterprise is None:
        raise NotFound("未找到该企业。")
    if for_edit:
        check(user, "enterprise.edit", enterprise)
    return enterprise
