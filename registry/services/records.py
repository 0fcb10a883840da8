"""Use cases on an enterprise's quality records (standards, certifications, honours, patents, trademarks,
credit listings, incidents): list, create, update, delete.

Each function checks scope through ``registry.policy``, validates with the kind's specs and rules,
refuses duplicates naming the existing record, commits, and raises ``registry.services.errors``.
Field-level history is written by the flush hook in ``registry.history``.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from registry import policy, reactions
from registry.database import begin_write
from registry.extensions import db
from registry.history import set_actor
from registry.models import Enterprise, Standard, StandardDrafter, User
from registry.records.fields import coerce, to_json
from registry.records.kinds import HONOURS, KINDS, STANDARDS, RecordKind
from registry.services import projects
from registry.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from workflows import dispatch


def kind_for(slug: str) -> RecordKind:
    """The record kind for a URL/API slug. Raises NotFound."""
    kind = KINDS.get(slug)
    if kind is None:
        raise NotFound("未知的记录类型。")
    return kind


def record_values(kind: RecordKind, obj) -> dict:
    """The record's field values by spec name (standards read through to the standard)."""
    if kind is STANDARDS:
        std = obj.standard
        return {**{name: getattr(std, name) for name in kind.extra["standard_fields"]}, "role": obj.role}
    return {spec.name: getattr(obj, spec.name) for spec in kind.fields}


def serialize(kind: RecordKind, obj, today=None) -> dict:
    """JSON form of a record, with the computed certificate status where it applies."""
    out = {"id": obj.id, "enterprise_id": obj.enterprise_id}
    out.update({k: to_json(v) for k, v in record_values(kind, obj).items()})
    if kind.slug == "certifications":
        from registry.clock import today as clock_today

        out["effective_status"] = obj.status_on(today or clock_today())
    if kind is STANDARDS:
        out["standard_id"] = obj.standard_id
    return out


def record_query(kind: RecordKind, enterprise_id: int):
    """The enterprise's records of one kind, newest first (standards with their standard, joined)."""
    model = kind.model
    query = select(model).where(model.enterprise_id == enterprise_id)
    if kind is STANDARDS:
        return query.join(Standard).options(joinedload(StandardDrafter.standard)).order_by(
            Standard.published_on.desc().nulls_last(), Standard.number)
    return query.order_by(*kind.order_by, model.id.desc())


def records_by_kind(enterprise_id: int) -> dict[str, list]:
    """Every record of the enterprise, grouped by kind slug: one query per kind, whatever the counts."""
    return {slug: list(db.session.scalars(record_query(kind, enterprise_id)).unique()) for slug, kind in KINDS.items()}


def list_records(user: User, enterprise_id: int, slug: str) -> list:
    """The enterprise's records of one kind. Raises NotFound outside the user's scope."""
    kind = kind_for(slug)
    policy.get_enterprise(user, enterprise_id)
    return list(db.session.scalars(record_query(kind, enterprise_id)).unique())


def get_record(user: User, enterprise_id: int, slug: str, record_id: int):
    kind = kind_for(slug)
    policy.get_enterprise(user, enterprise_id)
    obj = db.session.scalar(record_query(kind, enterprise_id).where(kind.model.id == record_id))
    if obj is None:
        raise NotFound(f"未找到该{kind.source_label}。")
    return obj


def _editable_enterprise(user: User, enterprise_id: int, kind: RecordKind) -> Enterprise:
    enterprise = policy.get_enterprise(user, enterprise_id, for_edit=True)
    if not policy.can(user, "record.edit", (enterprise, kind)):
        raise Forbidden(f"{kind.source_label}由市场监管部门登记，企业不能修改。")
    return enterprise


def _refuse_granted(obj) -> None:
    """A record a workflow created (an award's Honour) changes only through that workflow (its revocation)."""
    if getattr(obj, "source_application_id", None) is not None:
        raise Forbidden("该荣誉由评审流程授予，不能在此修改或删除；如需撤销，请在评审申报页面办理撤销。")


def _validated(kind: RecordKind, data: dict, current: dict | None) -> dict:
    values, errors = coerce(kind.fields, data, partial=current is not None)
    merged = {**(current or {}), **values}
    if not errors:
        kind.check(merged, errors)
    if errors:
        raise ValidationFailed(errors)
    return merged


def _refuse_duplicate(kind: RecordKind, enterprise_id: int, values: dict, own_id: int | None) -> None:
    if kind.duplicate is None:
        return
    clash = db.session.scalar(kind.duplicate(enterprise_id, values))
    if clash is not None and clash.id != own_id:
        owner = db.session.get(Enterprise, clash.enterprise_id)
        first_field = kind.fields[0].name if kind.slug != "trademarks" else "reg_number"
        first_field = "number" if any(f.name == "number" for f in kind.fields) else first_field
        raise Conflict(f"该{kind.source_label}已登记：{kind.describe(clash)}（企业：{owner.name}，记录 #{clash.id}）。",
                       existing_id=clash.id, field=first_field)


def _commit(kind: RecordKind, commit: bool = True, saved=None) -> None:
    """Flush, write the reactions the saved record asks for (``registry.reactions``, in this transaction), and
    commit and publish them when this call owns the transaction. Raises Conflict on a duplicate."""
    try:
        db.session.flush()
        if saved is not None:
            reactions.record_saved(kind.slug, saved)
        if commit:
            db.session.commit()
    except IntegrityError:
        if commit:
            db.session.rollback()
        raise Conflict(f"该{kind.source_label}已被登记（可能是他人刚刚提交）。") from None
    if commit:
        dispatch.send_handed_off()


def _apply_standard(user: User, enterprise: Enterprise, values: dict, drafter: StandardDrafter | None):
    """Create or update a drafter link; a standard number already registered is shared, never copied."""
    existing = db.session.scalar(select(Standard).where(Standard.number == values["number"]))
    fields = STANDARDS.extra["standard_fields"]
    if drafter is None:
        if existing is not None:
            mine = db.session.scalar(select(StandardDrafter).where(
                StandardDrafter.standard_id == existing.id, StandardDrafter.enterprise_id == enterprise.id))
            if mine is not None:
                raise Conflict(f"该标准已登记：{existing.number} {existing.title}（记录 #{mine.id}）。",
                               existing_id=mine.id, field="number")
            standard = existing  # another Linhai enterprise drafted it too: link, count once
        else:
            standard = Standard(**{k: values.get(k) for k in fields})
            db.session.add(standard)
        drafter = StandardDrafter(standard=standard, enterprise_id=enterprise.id, role=values["role"])
        db.session.add(drafter)
        return drafter
    if existing is not None and existing.id != drafter.standard_id:
        raise Conflict(f"标准编号 {existing.number} 已属于另一条标准记录。", existing_id=existing.id, field="number")
    for key in fields:
        setattr(drafter.standard, key, values.get(key))
    drafter.role = values["role"]
    return drafter


def create_record(user: User, enterprise_id: int, slug: str, data: dict, *, commit: bool = True):
    """Add a record to the enterprise. Raises NotFound, Forbidden, ValidationFailed, Conflict.

    With ``commit=False`` the caller owns the transaction (a batch import): the record is only flushed, and
    the caller has called ``begin_write()`` and rolls back on any error.
    """
    kind = kind_for(slug)
    if commit:
        begin_write()
    enterprise = _editable_enterprise(user, enterprise_id, kind)
    values = _validated(kind, data, None)
    set_actor(db.session, user.id)
    if kind is STANDARDS:
        obj = _apply_standard(user, enterprise, values, None)
    else:
        _refuse_duplicate(kind, enterprise.id, values, None)
        if kind is HONOURS:
            projects.resolve(values)
        obj = kind.model(enterprise_id=enterprise.id, **values)
        db.session.add(obj)
    _commit(kind, commit, obj)
    return obj


def update_record(user: User, enterprise_id: int, slug: str, record_id: int, data: dict):
    """Change a record; with partial input (PATCH) absent fields keep their values. Raises as create_record."""
    kind = kind_for(slug)
    begin_write()
    enterprise = _editable_enterprise(user, enterprise_id, kind)
    obj = get_record(user, enterprise.id, slug, record_id)
    _refuse_granted(obj)
    values = _validated(kind, data, record_values(kind, obj))
    set_actor(db.session, user.id)
    if kind is STANDARDS:
        _apply_standard(user, enterprise, values, obj)
    else:
        _refuse_duplicate(kind, enterprise.id, values, obj.id)
        if kind is HONOURS:
            projects.resolve(values)
        for key, value in values.items():
            setattr(obj, key, value)
    _commit(kind, True, obj)
    return obj


def delete_record(user: User, enterprise_id: int, slug: str, record_id: int) -> None:
    """Remove a record (a standard disappears with its last drafter). Raises NotFound, Forbidden."""
    kind = kind_for(slug)
    begin_write()
    enterprise = _editable_enterprise(user, enterprise_id, kind)
    obj = get_record(user, enterprise.id, slug, record_id)
    _refuse_granted(obj)
    set_actor(db.session, user.id)
    if kind is STANDARDS:
        standard = obj.standard
        db.session.delete(obj)
        db.session.flush()
        if not db.session.scalar(select(StandardDrafter.id).where(StandardDrafter.standard_id == standard.id)):
            db.session.delete(standard)
    else:
        db.session.delete(obj)
    db.session.commit()
