"""Use cases of an application's owner and readers: start, save a draft, act (through the engine), read."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from registry import clock, policy, settings
from registry.database import begin_write
from registry.extensions import db
from registry.models import Enterprise, User
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.text import clean
from workflows import calendar, definitions, engine
from workflows.models import Application, Transition
from workflows.spec import DRAFT, ID_KINDS, RETURNED

EDITABLE_STATUSES = (DRAFT, RETURNED)


def _clean_data(workflow_name: str, fields: dict, enterprise_id: int, actor: User) -> tuple[str, dict, dict]:
    """Validate the applicant's fields against the definition; returns (title, data, ids): an id field's value
    (e.g. ``standard_id``) passes its check for an application of ``enterprise_id`` and is in ``ids`` (also in
    ``data`` when the field is stored)."""
    try:
        workflow = definitions.get(workflow_name)
    except KeyError:
        raise ValidationFailed({"workflow": ["未知的申报类型。"]}) from None
    data, ids, errors = {}, {}, {}
    for f in workflow.fields:
        value = fields.get(f.name)
        if f.kind in ID_KINDS:
            try:
                ids.update(engine.clean_fields((replace(f, required=False),), {f.name: value}, enterprise_id, actor))
            except ValidationFailed as exc:
                errors.update(exc.errors)
            if f.store and f.name in ids:
                data[f.name] = ids[f.name]
            continue
        value = "" if value is None else clean(str(value), multiline=f.kind == "textarea").strip()
        if len(value) > 5000:
            errors[f.name] = [f"{f.label}过长。"]
        data[f.name] = value
    title = (data.get("product") or "").strip()[:200]
    if not title:
        errors["product"] = ["请填写产品名称。"]
    if errors:
        raise ValidationFailed(errors)
    return title, data, ids


def start(user: User, workflow_name: str, enterprise_id: int | None, fields: dict,
          idempotency_key: str | None = None) -> Application:
    """Create a draft for the user's enterprise (bureau staff may name any enterprise) and commit.

    Raises Forbidden (not an applicant), NotFound (enterprise out of scope), ValidationFailed. The same
    ``idempotency_key`` from the same user returns the existing draft instead of a second one.
    """
    policy.check(user, "application.start")
    if user.role == "enterprise":
        enterprise_id = user.enterprise_id
    if not enterprise_id or db.session.get(Enterprise, int(enterprise_id)) is None:
        raise NotFound("未找到该企业。")
    title, data, ids = _clean_data(workflow_name, fields, int(enterprise_id), user)
    begin_write()
    if idempotency_key:
        existing = db.session.scalar(select(Application).where(Application.created_by_id == user.id,
                                                               Application.idempotency_key == idempotency_key))
        if existing is not None:
            db.session.commit()
            return existing
    try:
        application = engine.start(workflow_name, int(enterprise_id), user, title=title, data=data,
                                   idempotency_key=idempotency_key)
        application.standard_id = ids.get("standard_id")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(select(Application).where(Application.created_by_id == user.id,
                                                               Application.idempotency_key == idempotency_key))
        if existing is None:
            raise
        return existing
    return application


def save_draft(user: User, application_id: int, version: int, fields: dict) -> Application:
    """Update the applicant's fields while the application is a draft or returned for material; commit.

    Raises NotFound, Forbidden (not the applicant), Conflict (changed meanwhile or not editable), ValidationFailed.
    """
    begin_write()
    application = get(user, application_id)
    if "applicant" not in policy.relations(user, application):
        raise Forbidden("只有申请企业可以修改申请内容。")
    if application.status not in EDITABLE_STATUSES or application.version != version:
        raise Conflict(engine.CONFLICT_MESSAGE)
    title, data, ids = _clean_data(application.workflow, fields, application.enterprise_id, user)
    standard_id = ids.get("standard_id")
    first_stage = engine.definition_of(application).first.name
    if standard_id is not None and standard_id != application.standard_id and application.stage != first_stage:
        raise ValidationFailed({"standard_id": ["申请受理后，标准在“标准研制”阶段通过“关联标准”更改。"]})
    application.title = title
    application.data = {**(application.data or {}), **data}
    if standard_id is not None:
        application.standard_id = standard_id
    db.session.commit()
    return application


def act(user: User, application_id: int, action: str, *, reason: str | None = None, version: int | None = None,
        payload: dict | None = None) -> engine.Outcome:
    """Apply an action through the engine (see ``engine.apply`` for what it raises)."""
    return engine.apply(application_id, action, user, reason=reason, version=version, payload=payload)


def get(user: User, application_id: int) -> Application:
    """The application if ``user`` may see it; NotFound otherwise (ids cannot be probed)."""
    application = db.session.get(Application, application_id)
    if application is None or not policy.can(user, "application.view", application):
        raise NotFound("未找到该申请。")
    return application


def by_ids(user: User, ids: set[int]) -> dict[int, Application]:
    """Of these applications, those the user may see, by id (one query; for lists that link to them)."""
    if not ids:
        return {}
    rows = db.session.scalars(select(Application).where(Application.id.in_(ids)))
    return {a.id: a for a in rows if policy.can(user, "application.view", a)}


def history(application_id: int) -> list[Transition]:
    return list(db.session.scalars(_history_statement(), {"application_id": application_id}))


@cache
def _history_statement():
    """Built once: every application page and API answer reads the history (a statement object keeps its cache key)."""
    return (select(Transition).where(Transition.application_id == bindparam("application_id"))
            .order_by(*Transition.in_order()))


def actors_of(history: list[Transition]) -> dict[int, User]:
    """The people who acted in ``history``, by id (a history row shows its actor's name; no id: the system)."""
    ids = {t.actor_id for t in history if t.actor_id}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


@dataclass(frozen=True)
class ReturnNotice:
    """Why an application waits on its applicant: the reviewer's reason, who returned it and when, and the day
    the correction is due (``workflows.correction_days`` working days after the return)."""

    reason: str
    by: str
    by_role: str
    at: datetime
    due_at: datetime


def return_notice(application: Application) -> ReturnNotice | None:
    """The latest return of ``application`` while it is still waiting for the applicant's correction, else None."""
    if application.status != RETURNED:
        return None
    last = db.session.scalar(select(Transition).where(Transition.application_id == application.id,
                                                      Transition.to_status == RETURNED)
                             .order_by(*Transition.in_order(newest_first=True)).limit(1))
    if last is None:
        return None
    actor = db.session.get(User, last.actor_id) if last.actor_id else None
    days = int(settings.get("workflows.correction_days"))
    due_at, _remind = calendar.deadline(clock.aware(last.at), days)
    return ReturnNotice(reason=last.reason or "", by=actor.display_name if actor else "系统",
                        by_role=actor.role if actor else "", at=clock.aware(last.at), due_at=due_at)


def mine(user: User) -> list[Application]:
    """The user's enterprise's applications, newest first."""
    if not user.enterprise_id:
        return []
    return list(db.session.scalars(select(Application).where(Application.enterprise_id == user.enterprise_id)
                                   .order_by(Application.id.desc())))


