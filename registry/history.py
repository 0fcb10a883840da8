"""Field-level change history, written for every audited model by one flush hook.

Services name the acting user with ``set_actor``; the hook then records creates, each changed field
of an update, and deletes as ``ChangeLog`` rows in the same transaction as the change itself.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import event, inspect, insert
from sqlalchemy.orm import Session

from registry.models.base import utcnow
from registry.models.history import ChangeLog

_SKIPPED_FIELDS = {"id", "created_at", "updated_at", "version"}


def set_actor(session: Session, actor_id: int | None, note: str | None = None) -> None:
    """Attribute the changes flushed next on ``session`` to ``actor_id`` (None: the system)."""
    session.info["actor_id"] = actor_id
    session.info["change_note"] = note


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def _columns(obj) -> list[str]:
    return [c.key for c in inspect(obj).mapper.column_attrs if c.key not in _SKIPPED_FIELDS]


def _summary(obj) -> str:
    parts = []
    for key in _columns(obj):
        value = getattr(obj, key, None)
        if value not in (None, "") and not key.endswith("_id"):
            parts.append(f"{key}={_text(value)}")
    return "; ".join(parts)[:2000]


def _enterprise_ids(obj) -> list[int | None]:
    ids = getattr(obj, "audit_enterprise_ids", None)
    if ids is not None:
        return list(ids) or [None]
    return [getattr(obj, "audit_enterprise_id", None)]


def _rows_for(obj, action: str, base: dict) -> list[dict]:
    rows: list[dict] = []
    entity = {"entity": obj.__tablename__, "entity_id": getattr(obj, "id", None), "action": action}
    if action == "update":
        state = inspect(obj)
        for key in _columns(obj):
            hist = state.attrs[key].history
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if _text(old) != _text(new):
                rows.append({**entity, "field": key, "old_value": _text(old), "new_value": _text(new)})
    elif action == "create":
        rows.append({**entity, "field": None, "old_value": None, "new_value": _summary(obj)})
    else:
        rows.append({**entity, "field": None, "old_value": _summary(obj), "new_value": None})
    out = []
    for enterprise_id in _enterprise_ids(obj):
        out.extend({**base, **row, "enterprise_id": enterprise_id} for row in rows)
    return out


def _after_flush(session: Session, _flush_context) -> None:
    base = {"actor_id": session.info.get("actor_id"), "changed_at": utcnow(), "note": session.info.get("change_note")}
    rows: list[dict] = []
    for obj in session.new:
        if getattr(obj, "__audited__", False):
            rows.extend(_rows_for(obj, "create", base))
    for obj in session.dirty:
        if getattr(obj, "__audited__", False) and session.is_modified(obj, include_collections=False):
            rows.extend(_rows_for(obj, "update", base))
    for obj in session.deleted:
        if getattr(obj, "__audited__", False):
            rows.extend(_rows_for(obj, "delete", base))
    if rows:
        session.connection().execute(insert(ChangeLog), rows)


def install(session_class) -> None:
    """Attach the hook to a session class (``db.session`` uses Flask-SQLAlchemy's Session)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
