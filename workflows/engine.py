"""The workflow engine: the ONE function that applies an action to an application, and the one that starts it.

``apply`` checks visibility, permission (relations), status, version, reason, fields and the guard; moves
(stage, status, version) with a compare-and-set UPDATE that must hit exactly one row; runs the action's effects;
appends the chained history row; writes notifications and outbox rows; commits all of it in one transaction;
and only then publishes the outbox jobs. Pages, the API, the CLI and beat jobs all call it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import bindparam, insert, inspect, select, update
from sqlalchemy.orm import defaultload
from sqlalchemy.orm.attributes import set_committed_value

from registry import clock, policy, settings
from registry.database import begin_write, writer_turn
from registry.extensions import db
from registry.history import set_actor
from registry.models import User
from registry.routing import to_int
from registry.services.errors import Conflict, DomainError, NotFound, ValidationFailed
from registry.text import clean
from workflows import chain, definitions, dispatch, recipients, stageruns
from workflows.models import Application, StageRun, Transition
from workflows.links import application_path
from workflows.notify import notify_transitions, notify_where
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
    # The application as written (``apply``): its commit keeps it loaded, and holding it here keeps it in the
    # session (whose identity map holds objects weakly), so the answer that follows reads it without SQL.
    application: Application | None = field(default=None, compare=False, repr=False)


def stage_enabled(stage: Stage) -> bool:
    return stage.enabled_setting is None or bool(settings.get(stage.enabled_setting))


def definition_of(application: Application) -> Workflow:
    return definitions.get(application.workflow, application.definition_version)


def allowed_actions(application: Application, user: User | None) -> list[Action]:
    """The actions ``user`` may take on ``application`` right now (what pages offer as buttons)."""
    stage = definition_of(application).stage(application.stage)
    rels = policy.relations(user, application)
    found = []
    for action in stage.actions:
        if application.status in action.from_statuses and policy.may_take(rels, action):
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
        begin_write(keep_loaded=True)  # the actor stays loaded; the application is read again under lock
        try:
            outcome, jobs, application = _apply(application_id, action_name, actor, reason, version,
                                                dict(payload or {}), now)
            _commit_keeping(actor, application, application.__dict__.get("enterprise"))
        except Exception:
            db.session.rollback()
            raise
    dispatch.publish(jobs)
    return outcome


def apply_many(versions: dict[int, int], action_name: str, actor: User | None, *, reason: str | None = None,
               now: datetime | None = None, chunk: int = 200) -> dict[int, Outcome | DomainError]:
    """Apply one action to many applications (a town recommending 200 enterprises at once): each application
    {id: the version its actor saw} is checked and moved exactly as ``apply`` would, but a chunk of them shares
    one transaction, the locked read of the applications and of their open runs, and the writes of the runs and
    history rows. Returns id -> Outcome, or the DomainError that application met (the others still move).

    An error after an application's writes began (an effect refusing) rolls the chunk back and applies its
    applications one by one instead, so one bad application never takes the others with it.
    """
    now = now or clock.now()
    results: dict[int, Outcome | DomainError] = {}
    ids = sorted(versions)  # one lock order for every caller: two bulk actions never deadlock
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        jobs: list = []
        with writer_turn():
            begin_write(keep_loaded=True)
            try:
                done = _apply_chunk(part, versions, action_name, actor, reason, now, jobs)
                db.session.commit()
            except Exception:  # noqa: BLE001  (the chunk is rolled back and redone one by one)
                db.session.rollback()
                done = None
        if done is None:
            for application_id in part:
                try:
                    results[application_id] = apply(application_id, action_name, actor, reason=reason,
                                                    version=versions[application_id], now=now)
                except DomainError as exc:
                    results[application_id] = exc
            continue
        results.update(done)
        dispatch.publish(jobs)
    return results


def _apply_chunk(ids, versions, action_name, actor, reason, now, jobs) -> dict:
    applications = {a.id: a for a in db.session.scalars(
        select(Application).where(Application.id.in_(ids)).order_by(Application.id)
        .with_for_update(of=Application).execution_options(populate_existing=True))}
    runs: dict[int, StageRun] = {}
    for run in db.session.scalars(select(StageRun).where(StageRun.application_id.in_(ids),
                                                         StageRun.ended_at.is_(None)).order_by(StageRun.id)):
        runs[run.application_id] = run  # the newest open run, as ``stageruns.current_run`` picks
    done: dict[int, Outcome | DomainError] = {}
    moves = []
    for application_id in ids:
        application = applications.get(application_id)
        try:
            checked = _check(application, action_name, actor, reason, versions[application_id], {})
        except DomainError as exc:
            done[application_id] = exc
            continue
        moves.append((application, runs.get(application_id), checked))
    planned = [_write(application, run, checked, actor, now) for application, run, checked in moves]
    _compare_and_set_many(planned)
    for move in planned:
        _after_write(move, actor, now)
    db.session.add_all([move.transition for move in planned])
    db.session.flush()  # the runs closed and opened, and every history row: one statement each (PostgreSQL)
    jobs += _notify_many([move for move in planned if move.checked.action.notify], actor, now)
    for move in planned:
        done[move.application.id] = Outcome(move.application.id, move.transition.id, move.target.name,
                                            move.to_status, move.application.version)
    return done


def _compare_and_set_many(planned: list) -> None:
    """``_compare_and_set`` for a chunk: one executemany per shape of new state; every row must be hit (the rows
    were read under lock, so a miss is a bug, and rolls the chunk back)."""
    shapes: dict[tuple, list] = {}
    for move in planned:
        shapes.setdefault((move.checked.action.exclusive, tuple(sorted(move.state))), []).append(move)
    for (exclusive, keys), group in shapes.items():
        statement = _compare_and_set_statement(exclusive, keys)
        rows = [{"w_id": m.application.id, "w_stage": m.checked.stage.name, "w_status": m.from_status,
                 "w_version": m.checked.expected, **{f"v_{k}": m.state[k] for k in keys}} for m in group]
        if not exclusive:
            for row in rows:
                del row["w_version"]
        result = db.session.connection().execute(statement, rows)
        if result.rowcount != len(rows):
            raise Conflict(CONFLICT_MESSAGE)


def _notify_many(planned: list, actor, now) -> list:
    """The messages of a chunk's moves, set-based per group of moves that say the same thing (same definition,
    stage, action, target and reason): two statements per group, however many applications and people."""
    groups: dict[tuple, list] = {}
    for move in planned:
        c = move.checked
        groups.setdefault((c.workflow.name, c.workflow.version, c.stage.name, c.action.name, move.target.name,
                           move.to_status, c.reason), []).append(move)
    jobs = []
    for group in groups.values():
        move = group[0]
        c = move.checked
        relations = _told(move.target, move.to_status)
        body = _body(c.stage, move.target, move.to_status, c.reason)
        link = application_path(move.application).rsplit(str(move.application.id), 1)
        jobs += notify_transitions([m.transition.id for m in group],
                                   recipients.any_of_columns(relations, move.target.name, besides=actor),
                                   kind="transition", title=(f"{c.workflow.label}:", f" — {c.action.label}"),
                                   body=body, link=(link[0], link[1]), now=now)
    return jobs


@dataclass(frozen=True)
class _Checked:
    workflow: Workflow
    stage: Stage
    action: Action
    expected: int
    reason: str | None
    values: dict


def _apply(application_id, action_name, actor, reason, version, payload, now):
    application, run = _load(application_id)
    checked = _check(application, action_name, actor, reason, version, payload)
    move = _write(application, run, checked, actor, now, add=False)
    _compare_and_set(application, checked.stage, move.from_status, checked.expected, checked.action, move.state)
    _store_runs(run, move.new_run)
    _after_write(move, actor, now)
    transition, target, to_status = move.transition, move.target, move.to_status
    set_committed_value(transition, "id", db.session.connection().execute(
        _insert_statement(Transition), _column_values(transition)).scalar_one())
    jobs = _notify(application, checked.workflow, checked.stage, target, checked.action, to_status, actor,
                   transition, now) if checked.action.notify else []
    return Outcome(application.id, transition.id, target.name, to_status, application.version, application), jobs, \
        application


def _commit_keeping(*kept) -> None:
    """Commit, expiring what the session holds as a commit does, except ``kept``: the actor, and the application
    as just written (read under its lock, its new state set by the compare-and-set, what the effects changed
    flushed by this commit), with its enterprise. The page or API answer that follows reads them without
    reading them again."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    keep = {id(obj) for obj in kept if obj is not None}
    for obj in list(session.identity_map.values()):
        if id(obj) not in keep:
            session.expire(obj)


def _check(application, action_name, actor, reason, version, payload) -> _Checked:
    """Everything that may refuse the action, before anything is written."""
    if application is None or not policy.can(actor, "application.view", application):
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
    policy.check(actor, "application.act", (application, action))
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
    return _Checked(workflow, stage, action, expected, reason, values)


@dataclass
class _Move:
    application: Application
    checked: _Checked
    transition: Transition
    target: Stage
    to_status: str
    from_status: str
    state: dict  # the application's new columns, for the compare-and-set
    new_run: StageRun | None = None  # the run opened, when the move leaves the stage


def _write(application, run, checked: _Checked, actor, now, add: bool = True) -> _Move:
    """Plan the move: the stage runs closed, opened, paused, the history row hashed onto the head read under lock,
    and the application's new state, which the caller writes with the compare-and-set. ``add``: the run opened
    and the history row are added to the session (the ORM writes them at the next flush); else the caller
    writes them (``_store_runs``, and the history row after the effects)."""
    workflow, stage, action, expected, values = (checked.workflow, checked.stage, checked.action, checked.expected,
                                                  checked.values)
    target = _target(workflow, stage, action)
    to_status = action.status or (DONE if target.final else IN_PROGRESS)
    from_status = application.status
    new_run = run
    if target.name != stage.name:
        stageruns.close(run, now)
        new_run = stageruns.open_run(application.id, workflow, target, now, add=add)
    elif to_status == RETURNED:
        stageruns.pause(run, now)
    elif from_status == RETURNED:
        stageruns.resume(run, now)
    if to_status in CLOSED_STATUSES or target.final:  # a final stage has no open run, entered or acted in
        stageruns.close(new_run, now)
    # The history row is hashed onto the head read under the application row's lock (``_load``), so the
    # compare-and-set below stores the new head with the new state in one statement.
    transition = Transition(
        application_id=application.id, stage_run_id=run.id if run else None, actor_id=actor.id if actor else None,
        action=action.name, from_stage=stage.name, from_status=from_status, to_stage=target.name,
        to_status=to_status, reason=checked.reason, payload={k: _jsonable(v) for k, v in values.items()}, at=now)
    head = chain.append(transition, application.chain_seq or 0, application.chain_hash)
    state = {"updated_at": now, "chain_seq": head[0], "chain_hash": head[1]}
    if action.exclusive:
        state.update(stage=target.name, status=to_status, version=expected + 1,
                     **_recorded_state(application, new_run, to_status, from_status, now))
        stored = {f.name: _jsonable(values[f.name]) for f in action.fields if f.store and f.name in values}
        if stored:
            state["data"] = {**(application.data or {}), **stored}
    return _Move(application, checked, transition, target, to_status, from_status, state,
                 new_run if new_run is not run else None)


def _after_write(move: _Move, actor, now) -> None:
    """The application now holds its new state; the action's effects run on it."""
    for key, value in move.state.items():
        set_committed_value(move.application, key, value)
    # What the effects change (a certificate recorded, suspended...) is the actor's doing in the change history.
    workflow, action = move.checked.workflow, move.checked.action
    set_actor(db.session, actor.id if actor else None, f"{workflow.label}:{action.label}")
    for effect in action.effects:
        effect(move.application, actor, move.checked.values, now)
    # an effect may add to the values (who recorded a step): the history row keeps what they end as
    move.transition.payload = {k: _jsonable(v) for k, v in move.checked.values.items()}


def _store_runs(run: StageRun | None, new_run: StageRun | None) -> None:
    """Write what ``_write`` changed of the runs with one statement each, not the ORM's unit of work (a third of
    an action's CPU went to flushing three rows): the open run's changed columns (closed, paused, resumed), and
    the run opened."""
    if run is not None:
        changed = sorted(inspect(run).committed_state)
        if changed:
            values = {key: getattr(run, key) for key in changed}
            db.session.connection().execute(_run_update(tuple(changed)),
                                            {"run_id": run.id, **{f"v_{k}": v for k, v in values.items()}})
            db.session.expire(run)  # written: the flush at commit has nothing left to look at
    if new_run is not None:
        set_committed_value(new_run, "id", db.session.connection().execute(
            _insert_statement(StageRun), _column_values(new_run)).scalar_one())


def _column_values(row) -> dict:
    """The columns set on a new (transient) ``row``, for a Core insert."""
    return {c.key: row.__dict__[c.key] for c in row.__table__.columns if c.key in row.__dict__}


@cache
def _insert_statement(model):
    return insert(model).returning(model.id)


@cache
def _run_update(keys: tuple[str, ...]):
    return update(StageRun).where(StageRun.id == bindparam("run_id")).values({k: bindparam(f"v_{k}") for k in keys})


def _load(application_id: int) -> tuple[Application | None, StageRun | None]:
    """The application (its enterprise joined), its row locked (PostgreSQL ``FOR UPDATE``; SQLite writers are
    serialised already) so its history head stays the one read until the commit, and then its open stage run.
    Only this application's row is locked: two applications never wait for each other. (The run is read after
    the lock, not joined to it: a joined row would come from the snapshot before a concurrent commit.)"""
    application = db.session.scalar(_locked_read(), {"id": application_id})
    if application is None:
        return None, None
    return application, stageruns.current_run(application_id)


@cache
def _locked_read():
    """Built once: a statement object keeps its cache key, so each action skips building and keying it. The
    enterprise comes joined (who is told, the town's relation), not its jurisdiction and industry rows, which
    no rule of an action reads (loaded on first use)."""
    return (select(Application).where(Application.id == bindparam("id")).with_for_update(of=Application)
            .options(defaultload(Application.enterprise).lazyload("*"))
            .execution_options(populate_existing=True))


@cache
def _compare_and_set_statement(exclusive: bool, keys: tuple[str, ...]):
    """UPDATE applications SET <keys> WHERE id, stage, status (and version, for an exclusive action) are as read;
    one per shape of new state, built once."""
    condition = [Application.id == bindparam("w_id"), Application.stage == bindparam("w_stage"),
                 Application.status == bindparam("w_status")]
    if exclusive:
        condition.append(Application.version == bindparam("w_version"))
    return update(Application).where(*condition).values({k: bindparam(f"v_{k}") for k in keys})


def _target(workflow: Workflow, stage: Stage, action: Action) -> Stage:
    if action.target is None:
        return stage
    if action.target == NEXT:
        return workflow.following(stage.name, stage_enabled)
    return workflow.stage(action.target)


def _compare_and_set(application, stage, from_status, expected, action, state: dict) -> None:
    """The only write of (stage, status, version), with the rest of the application's new state (its history head,
    due date...): exactly one row, else someone else got there first. The ORM copy then holds the written values
    as committed, so effects read the new state and a later flush writes only what they change."""
    keys = tuple(sorted(state))
    row = {"w_id": application.id, "w_stage": stage.name, "w_status": from_status, **{f"v_{k}": state[k] for k in keys}}
    if action.exclusive:
        row["w_version"] = expected
    result = db.session.connection().execute(_compare_and_set_statement(action.exclusive, keys), row)
    if result.rowcount != 1:
        raise Conflict(CONFLICT_MESSAGE)


def _recorded_state(application, run, to_status, from_status, now) -> dict:
    open_run = run is not None and run.ended_at is None
    state = {"due_at": run.due_at if open_run else None, "paused": open_run and run.paused_at is not None}
    if from_status == DRAFT and to_status != DRAFT and application.submitted_at is None:
        state["submitted_at"] = now
    return state


def _told(target: Stage, to_status: str) -> set[str]:
    """The applicant, and whoever acts next unless the application closed or went back to the applicant."""
    relations = {"applicant"}
    if to_status != RETURNED and to_status not in CLOSED_STATUSES and not target.final:
        relations |= target.actors - {"system"}
    return relations


def _body(stage: Stage, target: Stage, to_status: str, reason: str | None) -> str:
    body = f"{stage.label} → {target.label}({STATUS_LABELS.get(to_status, to_status)})"
    return body + f"\n理由：{reason}" if reason else body


def _notify(application, workflow, stage, target, action, to_status, actor, transition, now):
    """The messages of one move, in two set-based statements (``notify_where``), however many people."""
    shape, condition, params = recipients.bound(_told(target, to_status), application, target.name, besides=actor)
    return notify_where(condition, shape=shape, params=params, key=f"t{transition.id}", kind="transition",
                        title=f"{workflow.label}:{application.title} — {action.label}",
                        body=_body(stage, target, to_status, transition.reason), now=now,
                        link=application_path(application), application_id=application.id,
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
