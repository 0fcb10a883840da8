"""Use cases of an application's owner and readers: start, save a draft, act (through the engine), read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry import clock, settings
from registry.database import begin_write
from registry.extensions import db
from registry.models import Enterprise, Standard, User
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from registry.text import clean
from workflows import actors, calendar, definitions, engine
from workflows.models import Application, Transition
from workflows.spec import DRAFT, RETURNED

EDITABLE_STATUSES = (DRAFT, RETURNED)


def standards_for(enterprise_id: int, q: str | None = None) -> list[Standard]:
    """The 浙江制造 (T/ZZB) standards an application of ``enterprise_id`` may name: those the enterprise drafted
    (lead or participant), by number; ``q`` narrows them by number or title."""
    from registry.models import StandardDrafter

    query = (select(Standard).join(StandardDrafter, StandardDrafter.standard_id == Standard.id)
             .where(StandardDrafter.enterprise_id == enterprise_id, Standard.level == "group_zzb"))
    if q and q.strip():
        text = q.strip()
        query = query.where(Standard.number.contains(text, autoescape=True) | Standard.title.contains(
            text, autoescape=True))
    return list(db.session.scalars(query.order_by(Standard.number).limit(500)))


def check_standard(enterprise_id: int, standard_id: int) -> str | None:
    """Why ``standard_id`` cannot be named by an application of ``enterprise_id`` (None: it can)."""
    if db.session.get(Standard, standard_id) is None:
        return "未找到该标准。"
    if standard_id not in {s.id for s in standards_for(enterprise_id)}:
        return "只能选择本企业参与起草的“浙江制造”标准；如标准已发布但不在列表中，请先在企业的标准记录中登记。"
    return None


def _clean_data(workflow_name: str, fields: dict, enterprise_id: int | None = None
                ) -> tuple[str, dict, int | None]:
    """Validate the applicant's fields against the definition; returns (title, data, standard_id)."""
    try:
        workflow = definitions.get(workflow_name)
    except KeyError:
        raise ValidationFailed({"workflow": ["未知的申报类型。"]}) from None
    data, errors = {}, {}
    for f in workflow.fields:
        value = fields.get(f.name)
        value = "" if value is None else clean(str(value), multiline=f.kind == "textarea").strip()
        if len(value) > 5000:
            errors[f.name] = [f"{f.label}过长。"]
        data[f.name] = value
    standard_id = fields.get("standard_id") or None
    if standard_id is not None:
        try:
            standard_id = int(standard_id)
        except (TypeError, ValueError):
            errors["standard_id"] = ["标准编号无效。"]
            standard_id = None
        else:
            problem = check_standard(enterprise_id, standard_id) if enterprise_id else (
                None if db.session.get(Standard, standard_id) else "未找到该标准。")
            if problem:
                errors["standard_id"] = [problem]
    title = (data.get("product") or "").strip()[:200]
    if not title:
        errors["product"] = ["请填写产品名称。"]
    if errors:
        raise ValidationFailed(errors)
    return title, data, standard_id


def start(user: User, workflow_name: str, enterprise_id: int | None, fields: dict,
          idempotency_key: str | None = None) -> Application:
    """Create a draft for the user's enterprise (bureau staff may name any enterprise) and commit.

    Raises Forbidden (not an applicant), NotFound (enterprise out of scope), ValidationFailed. The same
    ``idempotency_key`` from the same user returns the existing draft instead of a second one.
    """
    if user.role == "enterprise":
        enterprise_id = user.enterprise_id
    elif not user.is_bureau:
        raise Forbidden("只有企业用户或市局工作人员可以发起申请。")
    if not enterprise_id or db.session.get(Enterprise, int(enterprise_id)) is None:
        raise NotFound("未找到该企业。")
    title, data, standard_id = _clean_data(workflow_name, fields, int(enterprise_id))
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
        application.standard_id = standard_id
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
    if "applicant" not in actors.relations(user, application):
        raise Forbidden("只有申请企业可以修改申请内容。")
    if application.status not in EDITABLE_STATUSES or application.version != version:
        raise Conflict(engine.CONFLICT_MESSAGE)
    title, data, standard_id = _clean_data(application.workflow, fields, application.enterprise_id)
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
    if application is None or not actors.can_see(user, application):
        raise NotFound("未找到该申请。")
    return application


def by_ids(user: User, ids: set[int]) -> dict[int, Application]:
    """Of these applications, those the user may see, by id (one query; for lists that link to them)."""
    if not ids:
        return {}
    rows = db.session.scalars(select(Application).where(Application.id.in_(ids)))
    return {a.id: a for a in rows if actors.can_see(user, a)}


def history(application_id: int) -> list[Transition]:
    return list(db.session.scalars(select(Transition).where(Transition.application_id == application_id)
                                   .order_by(*Transition.in_order())))


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


