"""A per-process cache of the reference rows every workflow action reads and administrators rarely change: the
settings (time limits, reminder days) and the bureau's holiday overrides. Without it each action read both tables
(2 of its 16 SQL statements, issue 16). The registry list's filters read the town and industry catalogues through it
too (2 of the list's 9 statements), and the account forms the certification bodies.

How long a change takes to apply:
- in this process: at once. A flush or ORM bulk statement that writes a watched table (``WATCHED``) empties the
  cache, and until that transaction ends its reads go to the database and are not cached (a rolled-back value is
  never served); ``registry.settings.put`` marks its session the same way before it flushes.
- in other processes (the other gunicorn workers, the Celery worker): within the app's
  ``REFERENCE_CACHE_SECONDS`` (10 s; 0 turns the cache off, as the tests' configuration does).
"""
from __future__ import annotations

import time
from typing import Any, Callable

from sqlalchemy import event

WATCHED = frozenset({"settings", "holiday_overrides", "jurisdictions", "industries", "certification_bodies"})
_WRITTEN = "refcache_written"  # session.info: this transaction wrote a watched table
_values: dict[str, tuple[float, Any]] = {}


def enabled() -> bool:
    """Whether a read may come from the cache now (on, and this transaction wrote no watched table)."""
    from flask import current_app

    from registry.extensions import db

    return bool(current_app.config.get("REFERENCE_CACHE_SECONDS", 0)) and not db.session().info.get(_WRITTEN)


def cached(name: str, load: Callable[[], Any]) -> Any:
    """``load()``'s value under ``name``, from the cache while it is fresh; what ``load`` reads must be a watched
    table's rows."""
    from flask import current_app

    if not enabled():
        return load()
    seconds = current_app.config["REFERENCE_CACHE_SECONDS"]
    now = time.monotonic()
    hit = _values.get(name)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    _values[name] = (now + seconds, value)
    return value


def clear() -> None:
    _values.clear()


def mark_written(session) -> None:
    """``session``'s transaction changes a watched table: drop what is cached and read through until it ends."""
    session.info[_WRITTEN] = True
    _values.clear()


def _watched(obj) -> bool:
    return getattr(obj, "__tablename__", None) in WATCHED


def _before_flush(session, _context, _instances) -> None:
    if any(_watched(obj) for obj in (*session.new, *session.dirty, *session.deleted)):
        mark_written(session)


def _orm_execute(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED:
            mark_written(state.session)


def _ended(session, *_args) -> None:
    if session.info.pop(_WRITTEN, False):
        _values.clear()


def install(session_class) -> None:
    for name, hook in (("before_flush", _before_flush), ("do_orm_execute", _orm_execute),
                       ("after_commit", _ended), ("after_rollback", _ended), ("after_soft_rollback", _ended)):
        if not event.contains(session_class, name, hook):
            event.listen(session_class, name, hook)
