"""The workflow's rules: how a user relates to an application (the relations definitions name), who holds a
relation, and which applications a user sees.

Applicants see their enterprise's applications, town reviewers those of their jurisdiction, bureau staff all,
experts only those assigned to them, certifiers (staff of a certification body) only those assigned to their body.
Who may take an action is the definition's: an action names the relations that may take it (``Action.roles``).
"""
from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select, true

from registry.extensions import db
from registry.models import User
from registry.models.accounts import ROLE_BUREAU, ROLE_CERTIFIER, ROLE_ENTERPRISE, ROLE_EXPERT, ROLE_TOWN
from registry.policy import roles
from registry.policy.table import Rule
from workflows.models import Application, Assignment

# The relations that may add files to an application (the applicant's evidence, the reviewers' scans).
UPLOADERS = frozenset({"applicant", "town", "bureau", "certifier"})


def relations(user: User | None, application: Application) -> set[str]:
    """The relations ``user`` holds to ``application`` (``{"system"}`` for no user)."""
    if user is None:
        return {"system"}
    found: set[str] = set()
    role = roles.role(user)
    if role == ROLE_ENTERPRISE and user.enterprise_id == application.enterprise_id:
        found.add("applicant")
    elif role == ROLE_TOWN and user.jurisdiction_id and \
            user.jurisdiction_id == application.enterprise.jurisdiction_id:
        found.add("town")
    elif roles.staff(user):
        found.add("bureau")
    elif role == ROLE_EXPERT and is_assigned(user.id, application.id, application.stage):
        found.add("expert")
    elif role == ROLE_CERTIFIER and user.certification_body_id and \
            user.certification_body_id == application.certification_body_id:
        found.add("certifier")
    return found


def inbox_relation(user) -> str | None:
    """The relation whose waiting applications make up the user's inbox (None: no inbox)."""
    if roles.staff(user):
        return "bureau"
    return {ROLE_TOWN: "town", ROLE_EXPERT: "expert", ROLE_ENTERPRISE: "applicant",
            ROLE_CERTIFIER: "certifier"}.get(roles.role(user))


def may_take(rels: set[str], action) -> bool:
    """Whether holders of ``rels`` may take the definition's ``action`` (the one test the engine and pages use)."""
    return bool(rels & action.roles)


def is_assigned(user_id: int, application_id: int, stage: str | None = None) -> bool:
    query = select(Assignment.id).where(Assignment.application_id == application_id, Assignment.user_id == user_id,
                                        Assignment.active.is_(True))
    if stage is not None:
        query = query.where(or_(Assignment.stage.is_(None), Assignment.stage == stage))
    return db.session.scalar(query.limit(1)) is not None


def visible_condition(user: User):
    """SQL condition on ``Application`` (joined to ``Enterprise``) for the applications ``user`` may see."""
    from registry.models import Enterprise

    if not roles.signed_in(user):
        return false()
    role = roles.role(user)
    if roles.staff(user):
        return true()
    if role == ROLE_ENTERPRISE and user.enterprise_id:
        return Application.enterprise_id == user.enterprise_id
    if role == ROLE_TOWN and user.jurisdiction_id:
        return Enterprise.jurisdiction_id == user.jurisdiction_id
    if role == ROLE_EXPERT:
        return exists().where(and_(Assignment.application_id == Application.id, Assignment.user_id == user.id,
                                   Assignment.active.is_(True)))
    if role == ROLE_CERTIFIER and user.certification_body_id:
        return Application.certification_body_id == user.certification_body_id
    return false()


def can_see(user: User | None, application: Application) -> bool:
    """None is the system (beat jobs, the engine's own steps): it sees every application."""
    if user is None:
        return True
    if roles.role(user) == ROLE_EXPERT:
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


def _takes(user, target) -> bool:
    """``target`` = (application, definition action)."""
    application, action = target
    return may_take(relations(user, application), action)


def _starts(user, _obj=None) -> bool:
    return roles.role(user) == ROLE_ENTERPRISE or roles.staff(user)


def _reviews(user, _obj=None) -> bool:
    """Town reviewers and bureau staff: they write opinions that go on the printed opinion sheets."""
    return roles.staff(user) or roles.role(user) == ROLE_TOWN


def _uploads(user, application) -> bool:
    return bool(relations(user, application) & UPLOADERS)


RULES = {
    "application.view": Rule(can_see, "未找到该申请。", hidden=True),
    "application.start": Rule(_starts, "只有企业用户或市局工作人员可以发起申请。"),
    "application.act": Rule(_takes, "您无权执行此操作。"),
    "application.review": Rule(_reviews, "只有镇街审核员和市局人员可以填写审核意见。"),
    "application.upload": Rule(_uploads, "您不能向该申请上传附件。"),
}
SCOPES = {"application.view": visible_condition}
