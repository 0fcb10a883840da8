"""JSON shapes of applications for the API (one place, so the API and tests agree)."""
from __future__ import annotations

from datetime import datetime, timezone

from workflows import engine
from workflows.models import Application, Transition
from workflows.services import applications


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat()


def transition(row: Transition) -> dict:
    return {"seq": row.position, "action": row.action, "actor_id": row.actor_id, "at": _iso(row.at),
            "from": {"stage": row.from_stage, "status": row.from_status},
            "to": {"stage": row.to_stage, "status": row.to_status}, "reason": row.reason}


def summary(application: Application) -> dict:
    stage = engine.definition_of(application).stage(application.stage)
    return {"id": application.id, "workflow": application.workflow,
            "definition_version": application.definition_version, "enterprise_id": application.enterprise_id,
            "title": application.title, "stage": application.stage, "stage_label": stage.label,
            "status": application.status, "version": application.version, "due_at": _iso(application.due_at),
            "paused": application.paused}


def detail(application: Application, user) -> dict:
    return {**summary(application), "data": application.data or {}, "standard_id": application.standard_id,
            "certification_id": application.certification_id,
            "history": [transition(t) for t in applications.history(application.id)],
            "allowed_actions": [{"action": a.name, "label": a.label, "needs_reason": a.needs_reason,
                                 "fields": [f.name for f in a.fields]}
                                for a in engine.allowed_actions(application, user)]}
