"""How a user relates to an application (the relations definitions name), and who holds a relation.

This is the workflow counterpart of ``registry.scoping``: applicants see their enterprise's applications, town
reviewers those of their jurisdiction, bureau staff all, experts only those assigned to them, certifiers (staff of
a certification body) only those assigned to their body.
"""
from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select, true

from registry.extensions import db
from registry.models import Enterprise, User
from registry.models.accounts import (ROLE_ADMIN, ROLE_BUREAU, ROLE_CERTIFIER, ROLE_ENTERPRISE, ROLE_EXPERT,
                                      ROLE_TOWN)
from workflows.models import Application, Assignment


def relations(user: User | None, application: Application) -> set[str]:
    """The relations ``user`` holds to ``application`` (``{"system"}`` for no user)."""
    if user is None:
        return {"system"}
    found: set[str] = set()
    if user.role == ROLE_ENTERPRISE and user.enterprise_id == application.enterprise_id:
        found.add("applicant")
    elif user.role == ROLE_TOWN and user.jurisdiction_id and \
            user.jurisdiction_id == application.enterprise.jurisdiction_id:
        found.add("town")
    elif user.role in (ROLE_BUREAU, ROLE_ADMIN):
        found.add("bureau")
    elif user.role == ROLE_EXPERT and is_assigned(user.id, application.id, application.stage):
        found.add("expert")
    elif user.role == ROLE_CERTIFIER and user.certification_body_id and \
            user.certification_body_id == application.certification_body_id:
        found.add("certifier")
    return found


def is_assigned(user_id: int, application_id: int, stage: str | None = None) -> bool:
    query = select(Assignment.id).where(Assignment.application_id == application_id, Assignment.user_id == user_id,
                                        Assignment.active.is_(True))
    if stage is not None:
        query = query.where(or_(Assignment.stage.is_(None), Assignment.stage == stage))
    return db.session.scalar(query.limit(1)) is not None


def visible_condition(user: User):
    """SQL condition on ``Application`` (joined to ``Enterprise``) for the applications ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role in (ROLE_BUREAU, ROLE_ADMIN):
        return true()
    if user.role == ROLE_ENTERPRISE and user.enterprise_id:
        return Application.enterprise_id == user.enterprise_id
    if user.role == ROLE_TOWN and user.jurisdiction_id:
        return Enterprise.jurisdiction_id == user.jurisdiction_id
    if user.role == ROLE_EXPERT:
        return exists().where(and_(Assignment.application_id == Application.id, Assignment.user_id == user.id,
                                   Assignment.active.is_(True)))
    if user.role == ROLE_CERTIFIER and user.certification_body_id:
        return Application.certification_body_id == user.certification_body_id
    return false()


def can_see(user: User | None, application: Application) -> bool:
    if user is None:
        return True
    if user.role == ROLE_EXPERT:
        return is_assigned(user.id, application.id)
    return bool(relations(user, application))


def holders(relation: str, application: Application, stage: str | None = None) -> list[User]:
    """Active users holding ``relation`` to ``application`` (bureau: bureau staff, not administrators)."""
    query = select(User).where(User.is_active_account.is_(True))
    if relation == "applicant":
        query = query.where(User.role == ROLE_ENTERPRISE, User.enterprise_id == application.enterprise_id)
    elif relation == "town":
        query = query.where(User.role == ROLE_TOWN, User.jurisdiction_id == application.enterprise.jurisdiction_id)
    elif relation == "bureau":
        query = query.where(User.role == ROLE_BUREAU)
    elif relation == "certifier":
        if application.certification_body_id is None:
            return []
        query = query.where(User.role == ROLE_CERTIFIER,
                            User.certification_body_id == application.certification_body_id)
    elif relation == "expert":
        stage = stage or application.stage
        query = query.join(Assignment, Assignment.user_id == User.id).where(
            Assignment.application_id == application.id, Assignment.active.is_(True),
            or_(Assignment.stage.is_(None), Assignment.stage == stage))
    else:
        return []
    return list(db.session.scalars(query.order_by(User.id)).unique())
