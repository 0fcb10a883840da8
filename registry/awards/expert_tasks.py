"""An expert's 待办: each panel seat that waits for the conflict-of-interest declaration (回避声明), and each that
waits for scores at the application's current review stage, with the stage's due date.

The inbox and the home page show these for expert accounts (``workflows.services.inbox.TASK_SOURCES``): an
expert's work is per seat, and a seat waits for its declaration before the application is visible at all.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from registry.awards import scoring
from registry.awards.models import AwardEntry, Expert, PanelMember
from registry.extensions import db
from registry.i18n import N_
from registry.models import User

REVIEW_OF_STAGE = {"document_review": "document", "presentation": "presentation", "site_review": "site"}
DECLARE, SCORE = N_("声明利益冲突（回避声明）"), N_("评分")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)  # SQLite keeps no offset; every stored time is UTC
    return moment


def pending(user: User, now: datetime) -> list[dict]:
    """The user's open panel tasks, soonest due first: dicts with ``kind`` (declare, score), ``task`` (its label),
    ``entry``, ``application`` (None for an entry without one), ``title``, ``enterprise_name``, ``path_args``
    (endpoint and values of the task's page), ``stage_label``, ``owed`` (categories left to score), ``due_at``."""
    from workflows import engine
    from workflows.models import Application

    expert = db.session.scalar(select(Expert).where(Expert.user_id == user.id))
    if expert is None:
        return []
    seats = db.session.scalars(select(PanelMember).where(
        PanelMember.expert_id == expert.id, PanelMember.active.is_(True)).order_by(PanelMember.id)).all()
    tasks = []
    for seat in seats:
        entry = db.session.get(AwardEntry, seat.entry_id)
        application = db.session.get(Application, entry.application_id) if entry.application_id else None
        if application is not None and application.status not in ("in_progress", "returned"):
            continue  # the nomination ended (rejected, withdrawn) or moved past review: nothing waits
        stage = application.stage if application is not None else None
        workflow = engine.definitions.get("quality_award")
        stage_label = workflow.stage(stage).label if application is not None else ""
        review = REVIEW_OF_STAGE.get(stage) if stage else None
        if seat.declared_no_conflict_at is None:
            kind, owed = "declare", []
        elif review:
            owed = scoring.state(entry.id, review)["pending"].get(expert.id) or []
            if not owed:
                continue
            kind = "score"
        else:
            continue
        tasks.append({
            "kind": kind, "task": DECLARE if kind == "declare" else SCORE, "entry": entry, "application": application,
            "title": application.title if application is not None else f"{entry.enterprise.name} · {entry.round.name}",
            "enterprise_name": entry.enterprise.name, "stage_label": stage_label, "owed": list(owed),
            "workflow_label": workflow.label,
            "path_args": ("awards.expert_declare" if kind == "declare" else "awards.expert_review",
                          {"entry_id": entry.id}),
            "due_at": _aware(application.due_at) if application is not None else None,
            "paused": bool(application.paused) if application is not None else False,
        })
    tasks.sort(key=lambda t: (t["due_at"] is None, t["due_at"] or now, t["entry"].id))
    return tasks
