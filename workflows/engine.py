"""The workflow engine: the ONE function that applies an action to an application, and the one that starts it.

``apply`` checks visibility, permission (relations), status, version, reason, fields and the guard; moves
(stage, status, version) with a compare-and-set UPDATE that must hit exactly one row; runs the action's effects;
appends the chained history row; writes notifications and outbox rows; commits all of it in one transaction;
and only then publishes the outbox jobs. Pages, the API, the CLI and beat jobs all call it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import update

from registry import clock, settings
from registry.database import begin_write, writer_turn
from registry.extensions import db
from registry.history import set_actor
from registry.models import User
from registry.routing import to_int
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.text import clean
from workflows import actors, chain, definitions, dispatch, stageruns
from workflows.models import Application, Transition
from workflows.links import application_path
from workflows.notify import notify, recipients_except
from workflows.spec import (CLOSED_STATUSES, DONE, DRAFT, ID_KINDS, IN_PROGRESS, NEXT, RETURNED, STATUS_LABELS, Action,
                            Field, Stage, Workflow)

CONFLICT_MESSAGE = "已被他人处理"


@dataclass(frozen=True)
class Outcome:
    application_id: int
    transition_id: int
    stage: str
    status: str
    version: int


def stage_enabled(stage: Stage) -> bool:
    return stage.enabled_setting is None or bool(settings.get(stage.enabled_setting))


def definition_of(application: Application) -> Workflow:
    return definitions.get(application.workflow, application.definition_version)


def allowed_actions(application: Application, user: User | None) -> list[Action]:
    """The actions ``user`` may take on ``application`` right now (what pages offer as buttons)."""
    stage = definition_of(application).stage(application.stage)
    rels = actors.relations(user, application)
    found = []
    for action in stage.actions:
        if application.status in action.from_statuses and rels & action.roles:
            if action.guard is None or action.guard(application, user, {}) is None:
                found.append(action)
    return found


def start(workflow_name: str, enterprise_id: int, actor: User, *, title: str, data: dict,
          idempotency_key: str | None = None, now: datetime | None = None) -> Application:
    """Create a draft application at the definition's first stage under its latest version, with its first history
    row sealed into the chain (caller commits at once)."""
    now = now or clock.now()
    workflow = definitions.get(workflow_name)
    application = Application(workflow=workflow.name, definition_version=workflow.version,
                              enterprise_id=enterprise_id, title=title, stage=workflow.first.name, status=DRAFT,
                              version=1, data=data, created_by_id=actor.id, idempotency_key=idempotency_key,
                              created_at=now, updated_at=now)
    db.session.add(application)
    db.session.flush()
    run = stageruns.open_run(application.id, workflow, workflow.first, now)
    db.session.flush()
    transition = Transition(application_id=application.id, stage_run_id=run.id, actor_id=actor.id, action="create",
                            from_stage=None, from_status=None, to_stage=application.stage, to_status=DRAFT,
                            reason=None, payload={}, at=now)
    application.chain_seq, application.chain_hash = chain.append(transition, 0, None)
    db.session.add(transition)
    return application


def apply(application_id: int, action_name: str, actor: User | None, *, reason: str | None = None,
          version: int | None = None, payload: dict | None = None, now: datetime | None = None) -> Outcome:
    """Apply ``action_name`` for ``actor`` (None: the system) and commit.

    Raises NotFound (absent or not visible), Forbidden (no relation allows the action), Conflict (someone acted
    first: stale version or status, or the compare-and-set hit no row), ValidationFailed (unknown action,
    missing reason or field, failed guard). Nothing is written when it raises.
    """
    now = now or clock.now()
    with writer_turn():
        begin_write()
        try:
            outcome, jobs = _apply(application_id, action_name, actor, reason, version, dict(payload or {}), now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
    dispatch.publish(jobs)
    return outcome


def _apply(application_id, action_name, actor, reason, version, payload, now):
    application = db.session.get(Application, application_id, populate_existing=True)
    if application is None or not actors.can_see(actor, application):
        raise NotFound("未找到该申请。")
    workflow = definition_of(application)
    stage = workflow.stage(application.stage)
    expected = application.version if version is None else version
    if expected != application.version:
        raise Conflict(CONFLICT_MESSAGE)
    action = stage.action(action_name)
    if action is None:
        if any(s.action(action_name) for s in workflow.stages):  # valid elsewhere: the application moved on
            raise Conflict(CONFLICT_MESSAGE)
        raise ValidationFailed({"action": [f"没有“{action_name}”这一操作。"]})
    if not actors.relations(actor, application) & action.roles:
        raise Forbidden("您无权执行此操作。")
    if application.status not in action.from_statuses:
        raise Conflict(CONFLICT_MESSAGE)
    reason = (reason or "").strip()[:2000] or None
    if action.needs_reason and not reason:
        raise ValidationFailed({"reason": ["请填写理由。"]})
    values = clean_fields(action.fields, payload, application.enterprise_id, actor)
    if action.guard is not None:
        problem = action.guard(application, actor, values)
        if problem:
            raise ValidationFailed({"action": [problem]})

    target = _target(workflow, stage, action)
    to_status = action.status or (DONE if target.final else IN_PROGRESS)
    from_status = application.status
    run = stageruns.current_run(application.id)
    head = _compare_and_set(application, stage, from_status, expected, target, to_status, action, now)

    new_run = run
    if target.name != stage.name:
        stageruns.close(run, now)
        new_run = stageruns.open_run(application.id, workflow, target, now)
    elif to_status == RETURNED:
        stageruns.pause(run, now)
    elif from_status == RETURNED:
        stageruns.resume(run, now)
    if to_status in CLOSED_STATUSES or target.final:  # a final stage has no open run, entered or acted in
        stageruns.close(new_run, now)
    if action.exclusive:
        _record_state(application, new_run, to_status, from_status, stage, now)
        stored = {f.name: _jsonable(values[f.name]) for f in action.fields if f.store and f.name in values}
        if stored:
            application.data = {**(application.data or {}), **stored}
    # What the effects change (a certificate recorded, suspended...) is the actor's doing in the change history.
    set_actor(db.session, actor.id if actor else None, f"{workflow.label}:{action.label}")
    for effect in action.effects:
        effect(application, actor, values, now)
    db.session.flush()

    transition = Transition(
        application_id=application.id, stage_run_id=run.id if run else None, actor_id=actor.id if actor else None,
        action=action.name, from_stage=stage.name, from_status=from_status, to_stage=target.name,
        to_status=to_status, reason=reason, payload={k: _jsonable(v) for k, v in values.items()}, at=now)
    application.chain_seq, application.chain_hash = chain.append(transition, *head)
    db.session.add(transition)
    db.session.flush()
    jobs = _notify(application, workflow, stage, target, action, to_status, actor, transition, now) \
        if action.notify else []
    new_version = application.version if action.exclusive else expected
    return Outcome(application.id, transition.id, target.name, to_status, new_version), jobs


def _target(workflow: Workflow, stage: Stage, action: Action) -> Stage:
    if action.target is None:
        return stage
    if action.target == NEXT:
        return workflow.following(stage.name, stage_enabled)
    return workflow.stage(action.target)


def _compare_and_set(application, stage, from_status, expected, target, to_status, action, now) -> tuple:
    """The only write of (stage, status, version): exactly one row, else someone else got there first. Returns the
    application's history head as the locked row holds it (what ``chain.append`` continues from)."""
    condition = (Application.id == application.id, Application.stage == stage.name,
                 Application.status == from_status)
    if action.exclusive:
        statement = update(Application).where(*condition, Application.version == expected).values(
            stage=target.name, status=to_status, version=Application.version + 1, updated_at=now)
    else:
        statement = update(Application).where(*condition).values(updated_at=now)
    statement = statement.returning(Application.chain_seq, Application.chain_hash)
    heads = db.session.execute(statement.execution_options(synchronize_session=False)).all()
    if len(heads) != 1:
        raise Conflict(CONFLICT_MESSAGE)
    db.session.expire(application, ["stage", "status", "version", "updated_at"])
    return tuple(heads[0])


def _record_state(application, run, to_status, from_status, stage, now) -> None:
    open_run = run is not None and run.ended_at is None
    application.due_at = run.due_at if open_run else None
    application.paused = open_run and run.paused_at is not None
    if from_status == DRAFT and to_status != DRAFT and application.submitted_at is None:
        application.submitted_at = now


def _notify(application, workflow, stage, target, action, to_status, actor, transition, now):
    people: list[User] = []
    if to_status == RETURNED:
        people += actors.holders("applicant", application)
    elif to_status not in CLOSED_STATUSES and not target.final:
        for relation in sorted(target.actors - {"system"}):
            people += actors.holders(relation, application, target.name)
    people += actors.holders("applicant", application)
    title = f"{workflow.label}:{application.title} — {action.label}"
    body = f"{stage.label} → {target.label}({STATUS_LABELS.get(to_status, to_status)})"
    if transition.reason:
        body += f"\n理由：{transition.reason}"
    return notify(recipients_except(people, actor), key=f"t{transition.id}", kind="transition", title=title,
                  body=body, now=now, link=application_path(application), application_id=application.id,
                  transition_id=transition.id)


def clean_fields(fields: tuple[Field, ...], payload: dict, enterprise_id: int, actor: User | None) -> dict:
    """The fields' values from ``payload``, converted; an id field's value also passes its check (whether an
    application of ``enterprise_id`` may name that id). Raises ValidationFailed naming every field refused."""
    values, errors = {}, {}
    for f in fields:
        raw = payload.get(f.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if f.required:  # a standard is picked from a list
                errors[f.name] = [f"{'请选择' if f.kind in ID_KINDS else '请填写'}{f.label}。"]
            continue
        try:
            values[f.name] = _convert(f.kind, raw)
        except (TypeError, ValueError):
            errors[f.name] = [f"{f.label}格式不正确。"]
            continue
        problem = f.check(enterprise_id, actor, values[f.name]) if f.check is not None else None
        if problem:
            errors[f.name] = [problem]
    if errors:
        raise ValidationFailed(errors)
    return values


def _convert(kind: str, raw):
    if kind == "date":
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
    if kind == "int" or kind in ID_KINDS:
        value = to_int(raw, minimum=1) if kind in ID_KINDS else to_int(raw)
        if value is None:  # not an integer, or one no id column holds (an overflow in the query is a 500)
            raise ValueError(raw)
        return value
    text = clean(str(raw), multiline=kind == "textarea").strip()
    if len(text) > 5000:
        raise ValueError("too long")
    return text


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value
