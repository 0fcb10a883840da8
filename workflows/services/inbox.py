"""Reviewer inboxes: what awaits a user now, by role and jurisdiction (or assignment), with due dates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from sqlalchemy import and_, false, func, or_, select

from registry import clock, policy
from registry.extensions import db
from registry.models import Enterprise, User
from registry.services.errors import DomainError
from workflows import calendar, definitions, engine
from workflows.models import Application
from workflows.spec import IN_PROGRESS, RETURNED

# Roles whose 待办 are not applications at a stage but tasks another area keeps (an expert's panel seats: the
# conflict declaration, then the scores): role -> function(user, now) -> task dicts with ``kind``, ``task``,
# ``application``, ``title``, ``enterprise_name``, ``path_args`` (endpoint, values), ``stage_label``, ``due_at``,
# ``paused``. The owning area registers it when the app is built (registry.awards.expert_views).
TASK_SOURCES: dict[str, Callable[[User, datetime], list[dict]]] = {}



@dataclass(frozen=True)
class Filters:
    workflow: str | None = None
    stage: str | None = None
    jurisdiction_id: int | None = None
    overdue_only: bool = False
    q: str | None = None


def _awaiting_condition(relation: str):
    """(workflow, version, stage) triples whose stage expects ``relation`` to act, across all versions."""
    parts = []
    for name, versions in definitions.registry().items():
        for version, workflow in versions.items():
            stages = [s.name for s in workflow.stages if relation in s.actors and not s.final]
            if stages:
                parts.append(and_(Application.workflow == name, Application.definition_version == version,
                                  Application.stage.in_(stages)))
    return or_(*parts) if parts else false()


def inbox_query(user: User, filters: Filters = Filters(), now: datetime | None = None):
    relation = policy.inbox_relation(user)
    query = select(Application).join(Enterprise, Enterprise.id == Application.enterprise_id) \
        .where(policy.scope(user, "application.view"))
    if relation == "applicant":
        query = query.where(or_(Application.status == RETURNED,
                                and_(Application.status == IN_PROGRESS, _awaiting_condition(relation))))
    elif relation is None:
        return query.where(false())
    else:
        query = query.where(Application.status == IN_PROGRESS, _awaiting_condition(relation))
    if filters.workflow:
        query = query.where(Application.workflow == filters.workflow)
    if filters.stage:
        query = query.where(Application.stage == filters.stage)
    if filters.jurisdiction_id:
        query = query.where(Enterprise.jurisdiction_id == filters.jurisdiction_id)
    if filters.overdue_only:
        query = query.where(Application.due_at < (now or clock.now()), Application.paused.is_(False))
    if filters.q:
        like = f"%{filters.q.strip()[:50]}%"
        query = query.where(or_(Application.title.like(like), Enterprise.name.like(like)))
    return query.order_by(Application.due_at.is_(None), Application.due_at, Application.id)


def inbox(user: User, filters: Filters = Filters(), page: int = 1, per_page: int = 20, now: datetime | None = None):
    """(items, total) where items are dicts with the application (or None), ``title``, ``enterprise_name``, ``url``
    (None: the application's page), ``task`` (None: the stage is the task), the due date and the overdue flag."""
    now = now or clock.now()
    source = TASK_SOURCES.get(user.role)
    if source is not None:
        return _tasks(source(user, now), filters, page, per_page, now)
    query = inbox_query(user, filters, now)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((max(page, 1) - 1) * per_page)).unique().all()
    known = calendar.overrides()
    items = []
    for application in rows:
        due = application.due_at
        if due is not None and due.tzinfo is None:
            from datetime import timezone
            due = due.replace(tzinfo=timezone.utc)
        left = None
        if due is not None:
            left = calendar.working_days_between(clock.local_date(now), clock.local_date(due), known)
        workflow = engine.definition_of(application)
        items.append({"application": application, "due_at": due, "working_days_left": left,
                      "overdue": due is not None and due < now and not application.paused,
                      "stage_label": workflow.stage(application.stage).label, "workflow_label": workflow.label,
                      "title": application.title, "enterprise_name": application.enterprise.name, "url": None,
                      "task": None})
    return items, total


def _tasks(tasks: list[dict], filters: Filters, page: int, per_page: int, now: datetime):
    """A task source's items in the inbox's shape, filtered (search words, overdue only) and paged."""
    from workflows.links import path_for

    known = calendar.overrides()
    items = []
    for task in tasks:
        due = task["due_at"]
        overdue = due is not None and due < now and not task["paused"]
        if filters.overdue_only and not overdue:
            continue
        if filters.q and filters.q.strip()[:50] not in f"{task['title']} {task['enterprise_name']}":
            continue
        endpoint, values = task["path_args"]
        left = calendar.working_days_between(clock.local_date(now), clock.local_date(due), known) if due else None
        items.append({**task, "url": path_for(endpoint, **values), "working_days_left": left, "overdue": overdue})
    start = (max(page, 1) - 1) * per_page
    return items[start:start + per_page], len(items)


def bulk_act(user: User, action: str, versions: dict[int, int], reason: str | None = None) -> dict[int, str]:
    """Apply ``action`` to several applications (e.g. a town recommending many): set-based through
    ``engine.apply_many``, each checked as on its own. Returns id -> "ok" or the error message (a conflict on
    one does not stop the others)."""
    results: dict[int, str] = {}
    for application_id, outcome in engine.apply_many(versions, action, user, reason=reason).items():
        if isinstance(outcome, DomainError):
            results[application_id] = outcome.message or "操作失败"
        else:
            results[application_id] = "ok"
    return results
