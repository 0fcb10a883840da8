"""What must hold of the workflow data at any quiet moment (after a load run, after a restore): every application in
a legal state with its history agreeing, the history chain intact, every notification tied to its history row, and
no outbox row left behind. ``flask --app registry workflows check`` runs it; the load bench and tests call it."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from registry.extensions import db
from workflows import chain, definitions
from workflows.models import Application, Notification, Outbox, StageRun, Transition
from workflows.spec import CLOSED_STATUSES, STATUS_LABELS

LIMIT = 20  # problems listed per kind; the count says the rest


def check(*, outbox_drained: bool = True) -> list[str]:
    """Problems found (empty: all holds). ``outbox_drained``: the worker has had time to deliver, so a row still
    pending or sending is a problem too (dead rows are always reported)."""
    problems: list[str] = []
    problems += _states()
    problems += chain.verify()
    problems += _notifications()
    problems += _outbox(outbox_drained)
    return problems


def _states() -> list[str]:
    problems: list[str] = []
    open_runs: dict[int, list[str]] = defaultdict(list)
    for application_id, stage in db.session.execute(select(StageRun.application_id, StageRun.stage)
                                                    .where(StageRun.ended_at.is_(None))):
        open_runs[application_id].append(stage)
    last: dict[int, Transition] = {}
    newest = (select(Transition.application_id, func.max(Transition.id).label("id"))
              .group_by(Transition.application_id).subquery())
    for row in db.session.scalars(select(Transition).join(newest, Transition.id == newest.c.id)):
        last[row.application_id] = row
    for application in db.session.scalars(select(Application).execution_options(yield_per=2000)):
        problem = _state_problem(application, open_runs.get(application.id, []), last.get(application.id))
        if problem:
            problems.append(f"application {application.id}: {problem}")
    return _capped(problems, "applications in an illegal state")


def _state_problem(application: Application, runs: list[str], last: Transition | None) -> str | None:
    try:
        workflow = definitions.get(application.workflow, application.definition_version)
        stage = workflow.stage(application.stage)
    except KeyError:
        return f"stage {application.stage!r} is not in {application.workflow} v{application.definition_version}"
    statuses = set(STATUS_LABELS) | {a.status for s in workflow.stages for a in s.actions if a.status}
    if application.status not in statuses:
        return f"unknown status {application.status!r}"
    settled = application.status in CLOSED_STATUSES or stage.final
    if settled and runs:
        return f"closed at {stage.name} with an open stage run"
    if not settled and runs != [stage.name]:
        return f"at {stage.name} with open stage runs {runs}"
    if last is None:
        return "no history"
    if (last.to_stage, last.to_status) != (application.stage, application.status) and _moves(workflow, last):
        return f"history ends at {last.to_stage}/{last.to_status}"
    return None


def _moves(workflow, row: Transition) -> bool:
    """Whether the row's action changes the state (a non-exclusive action records its row and leaves it)."""
    if row.action == "create":
        return True
    action = next((a for s in workflow.stages for a in s.actions if a.name == row.action), None)
    return action is None or action.exclusive


def _notifications() -> list[str]:
    orphans = db.session.execute(
        select(Notification.id, Notification.transition_id)
        .outerjoin(Transition, Transition.id == Notification.transition_id)
        .where(Notification.kind == "transition",
               (Transition.id.is_(None)) | (Transition.application_id != Notification.application_id))
        .limit(LIMIT + 1)).all()
    return _capped([f"notification {n}: its history row {t} is missing or of another application" for n, t in orphans],
                   "notifications without their history row")


def _outbox(drained: bool) -> list[str]:
    waiting = ("dead",) + (("pending", "sending") if drained else ())
    counts = dict(db.session.execute(select(Outbox.status, func.count()).where(Outbox.status.in_(waiting))
                                     .group_by(Outbox.status)).all())
    return [f"{count} outbox rows {status}" for status, count in sorted(counts.items())]


def _capped(problems: list[str], what: str) -> list[str]:
    if len(problems) <= LIMIT:
        return problems
    return problems[:LIMIT] + [f"... {len(problems) - LIMIT} more {what}"]
