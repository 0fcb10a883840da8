"""Who hears of an application's move, as one SQL condition on ``User`` (``workflows.notify.notify_where`` writes
their messages set-based). Each relation's condition selects exactly the users ``holders`` of the access policy
lists for it (tests/workflows/test_action_statements.py compares them relation by relation).
"""
from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, exists, false, or_

from registry.models import Enterprise, User
from registry.models.accounts import ROLE_BUREAU, ROLE_CERTIFIER, ROLE_ENTERPRISE, ROLE_TOWN
from workflows.models import Application, Assignment


def holder_condition(relation: str, application: Application, stage: str | None = None):
    """SQL condition on ``User``: the active users holding ``relation`` to ``application`` (bureau: bureau staff,
    not administrators; expert: assigned to ``stage``, default the application's)."""
    return _bound_condition(((relation,), application.certification_body_id is not None, False)).params(
        _params(application, stage or application.stage, None))


def any_of(relations, application: Application, stage: str | None = None, *, besides=None):
    """The users holding any of ``relations``, except ``besides`` (the actor: nobody is told of their own act)."""
    shape, condition, params = bound(relations, application, stage or application.stage, besides=besides)
    return condition.params(params)


def bound(relations, application: Application, stage: str, *, besides=None) -> tuple[tuple, object, dict]:
    """``any_of`` as (shape, condition, params): the condition names the application's values as bound
    parameters and is built once per shape (the relations, whether a certification body is named, whether
    someone is left out), so a statement around it is built and its cache key computed once per process, not
    once per action (the engine's messages: ``workflows.notify.notify_where(..., shape=, params=)``)."""
    shape = (tuple(sorted(relations)), application.certification_body_id is not None, besides is not None)
    return shape, _bound_condition(shape), _params(application, stage, besides, town="town" in shape[0])


def _params(application: Application, stage: str, besides, town: bool = True) -> dict:
    params = {"r_enterprise_id": application.enterprise_id, "r_application_id": application.id, "r_stage": stage,
              "r_body_id": application.certification_body_id, "r_besides": besides.id if besides else None}
    if town:  # the enterprise is read only when the town is told
        params["r_jurisdiction_id"] = application.enterprise.jurisdiction_id
    return params


@cache
def _bound_condition(shape: tuple):
    relations, has_body, leaves_out = shape
    found = []
    for relation in relations:
        if relation == "applicant":
            found.append((User.role == ROLE_ENTERPRISE) & (User.enterprise_id == bindparam("r_enterprise_id")))
        elif relation == "town":
            found.append((User.role == ROLE_TOWN) & (User.jurisdiction_id == bindparam("r_jurisdiction_id")))
        elif relation == "bureau":
            found.append(User.role == ROLE_BUREAU)
        elif relation == "certifier" and has_body:
            found.append((User.role == ROLE_CERTIFIER) & (User.certification_body_id == bindparam("r_body_id")))
        elif relation == "expert":
            found.append(exists().where(
                Assignment.user_id == User.id, Assignment.application_id == bindparam("r_application_id"),
                Assignment.active.is_(True),
                or_(Assignment.stage.is_(None), Assignment.stage == bindparam("r_stage", type_=Assignment.stage.type))))
    condition = or_(false(), *(User.is_active_account.is_(True) & f for f in found))
    if leaves_out:
        condition = condition & (User.id != bindparam("r_besides"))
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
