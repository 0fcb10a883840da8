"""Who hears of an application's move, as one SQL condition on ``User`` (``workflows.notify.notify_where`` writes
their messages set-based). Each relation's condition selects exactly the users ``holders`` of the access policy
lists for it (tests/workflows/test_action_statements.py compares them relation by relation).
"""
from __future__ import annotations

from sqlalchemy import exists, false, or_

from registry.models import Enterprise, User
from registry.models.accounts import ROLE_BUREAU, ROLE_CERTIFIER, ROLE_ENTERPRISE, ROLE_TOWN
from workflows.models import Application, Assignment


def holder_condition(relation: str, application: Application, stage: str | None = None):
    """SQL condition on ``User``: the active users holding ``relation`` to ``application`` (bureau: bureau staff,
    not administrators; expert: assigned to ``stage``, default the application's)."""
    if relation == "applicant":
        found = (User.role == ROLE_ENTERPRISE) & (User.enterprise_id == application.enterprise_id)
    elif relation == "town":
        found = (User.role == ROLE_TOWN) & (User.jurisdiction_id == application.enterprise.jurisdiction_id)
    elif relation == "bureau":
        found = User.role == ROLE_BUREAU
    elif relation == "certifier":
        if application.certification_body_id is None:
            return false()
        found = (User.role == ROLE_CERTIFIER) & (User.certification_body_id == application.certification_body_id)
    elif relation == "expert":
        stage = stage or application.stage
        found = exists().where(Assignment.user_id == User.id, Assignment.application_id == application.id,
                               Assignment.active.is_(True), or_(Assignment.stage.is_(None), Assignment.stage == stage))
    else:
        return false()
    return User.is_active_account.is_(True) & found


def any_of(relations, application: Application, stage: str | None = None, *, besides=None):
    """The users holding any of ``relations``, except ``besides`` (the actor: nobody is told of their own act)."""
    condition = or_(false(), *(holder_condition(r, application, stage) for r in sorted(relations)))
    if besides is not None:
        condition = condition & (User.id != besides.id)
    return condition


def holder_columns(relation: str, stage: str):
    """``holder_condition`` for many applications at once: a condition on ``User`` joined to ``Application`` and its
    ``Enterprise`` (the rows of the applications that moved), experts assigned to ``stage``."""
    if relation == "applicant":
        found = (User.role == ROLE_ENTERPRISE) & (User.enterprise_id == Application.enterprise_id)
    elif relation == "town":
        found = (User.role == ROLE_TOWN) & (User.jurisdiction_id == Enterprise.jurisdiction_id)
    elif relation == "bureau":
        found = User.role == ROLE_BUREAU
    elif relation == "certifier":
        found = (User.role == ROLE_CERTIFIER) & (User.certification_body_id == Application.certification_body_id)
    elif relation == "expert":
        found = exists().where(Assignment.user_id == User.id, Assignment.application_id == Application.id,
                               Assignment.active.is_(True), or_(Assignment.stage.is_(None), Assignment.stage == stage))
    else:
        return false()
    return User.is_active_account.is_(True) & found


def any_of_columns(relations, stage: str, *, besides=None):
    condition = or_(false(), *(holder_columns(r, stage) for r in sorted(relations)))
    if besides is not None:
        condition = condition & (User.id != besides.id)
    return condition
