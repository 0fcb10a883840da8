"""Database connection behaviour that differs by backend.

SQLite (the embedded default) gets WAL, a busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for
transactions that will write, so that two writers queue instead of failing with "database is locked".
Use cases that write call ``begin_write()`` before their first statement.
"""
from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from flask_sqlalchemy.session import Session as FlaskSession

from registry import history, refcache
from registry.extensions import db

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar("write_intent", default=False)
# Set for a whole request that changes something (POST, PUT, PATCH, DELETE) and for a whole worker task: every
# transaction they begin on SQLite is a write transaction (see ``writes_held``).
_writes_held: contextvars.ContextVar[bool] = contextvars.ContextVar("writes_held", default=False)
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SQLITE_WRITERS = threading.Lock()


def configure_database(app: Flask) -> None:
    """Bind ``db`` to the app, with the per-backend engine options and hooks."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        options["connect_args"] = {**options.get("connect_args", {}), "timeout": 30, "check_same_thread": False}
    else:
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_size", app.config["DB_POOL_SIZE"])
        options.setdefault("max_overflow", app.config["DB_MAX_OVERFLOW"])
        options.setdefault("pool_timeout", app.config["DB_POOL_TIMEOUT"])
        if uri.startswith("postgresql"):  # a runaway query or a lock wait ends with an error, not a hung worker
            limits = (f"-c statement_timeout={int(app.config['DB_STATEMENT_TIMEOUT_MS'])} "
                      f"-c lock_timeout={int(app.config['DB_LOCK_TIMEOUT_MS'])}")
            connect_args = dict(options.get("connect_args", {}))
            connect_args["options"] = f"{connect_args.get('options', '')} {limits}".strip()
            options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    history.install(FlaskSession)
    refcache.install(FlaskSession)
    if uri.startswith("sqlite"):
        _hold_writes_in_unsafe_requests(app)
        with app.app_context():
            _install_sqlite_hooks(db.engine)
            if app.config.get("SQLITE_UPGRADE_LOG") or app.config.get("SQLITE_UPGRADE_REFUSE"):
                _install_upgrade_check(db.engine, app.config.get("SQLITE_UPGRADE_LOG"),
                                       bool(app.config.get("SQLITE_UPGRADE_REFUSE")))


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if _write_intent.get() or _writes_held.get():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            _write_intent.set(False)
            connection.info["began_deferred"] = False
        else:
            connection.exec_driver_sql("BEGIN")
            connection.info["began_deferred"] = True


@contextmanager
def writes_held() -> Iterator[None]:
    """Make every transaction begun inside a write transaction (``BEGIN IMMEDIATE`` on SQLite; nothing on
    PostgreSQL). SQLite cannot turn a read transaction into a write one once another connection has committed
    since it began: the write fails at once with "database is locked", whatever the busy timeout. A request that
    changes something and a worker task (``celery_app.FlaskTask``) run inside this, so a read-then-write anywhere
    in them queues for the lock instead of failing half way; ``begin_write()`` remains the way for a read-only
    request (a GET) that writes."""
    token = _writes_held.set(True)
    try:
        yield
    finally:
        _writes_held.reset(token)


def _hold_writes_in_unsafe_requests(app: Flask) -> None:
    """Requests that change something run inside ``writes_held`` (first of the app's before-request hooks, so
    that the signed-in user's read already belongs to a write transaction)."""
    from flask import g, request

    def _hold():
        if request.method in _UNSAFE_METHODS:
            g._writes_held = _writes_held.set(True)

    def _release(_exc):
        token = g.pop("_writes_held", None)
        if token is not None:
            _writes_held.reset(token)

    app.before_request_funcs.setdefault(None, []).insert(0, _hold)
    app.teardown_request(_release)


class ReadThenWrite(RuntimeError):
    """A web request wrote in a transaction that began as a read (SQLite; refused where SQLITE_UPGRADE_REFUSE)."""


def _install_upgrade_check(engine: Engine, log_path: str | None, refuse_in_requests: bool) -> None:
    """Find each write made in a transaction that had already read under a plain ``BEGIN``: each is a place that
    should call ``begin_write()`` first. ``log_path``: append it, with the code that made it, to that file (a
    diagnostic over any run). ``refuse_in_requests``: inside a web request, raise ``ReadThenWrite`` instead of
    writing (the test suite: a page view that writes without ``begin_write()`` fails its test, not a user's page
    on a busy day)."""
    import traceback

    from flask import has_request_context

    @event.listens_for(engine, "begin")
    def _mark(connection):
        connection.info["upgrade_check"] = "deferred" if connection.info.get("began_deferred") else "immediate"

    @event.listens_for(engine, "before_cursor_execute")
    def _check(connection, _cursor, statement, _parameters, _context, _executemany):
        word = statement.lstrip()[:6].upper()
        if connection.info.get("upgrade_check") == "deferred" and word == "SELECT":
            connection.info["upgrade_check"] = "read"
        elif connection.info.get("upgrade_check") == "read" and word in ("INSERT", "UPDATE", "DELETE"):
            connection.info["upgrade_check"] = "logged"
            frames = [f"{f.filename.rsplit('/work/', 1)[-1]}:{f.lineno} {f.name}" for f in traceback.extract_stack()
                      if ("/registry/" in f.filename or "/workflows/" in f.filename or "/tests/" in f.filename)
                      and not f.filename.endswith("registry/database.py")]
            where = " < ".join(reversed(frames[-6:]))
            if log_path:
                with open(log_path, "a", encoding="utf-8") as log:
                    log.write(f"{statement.split(None, 3)[:3]} | {where}\n")
            if refuse_in_requests and has_request_context():
                raise ReadThenWrite(f"a write after a read in one transaction (call begin_write() first): {where}")


def begin_write(keep_loaded: bool = False) -> None:
    """End any open read transaction and make the next one a write transaction.

    On SQLite this takes the write lock up front (``BEGIN IMMEDIATE``), so a read-then-write cannot
    fail half way with "database is locked". On PostgreSQL it only ends the read transaction.
    ``keep_loaded``: a read transaction that changed nothing ends without expiring what it loaded (the signed-in
    user the request just read), so the write does not read it again; the caller re-reads, under lock, the rows
    it changes.
    """
    session = db.session()
    if session.in_transaction():
        clean = keep_loaded and not (session.new or session.dirty or session.deleted)
        expire = session.expire_on_commit
        session.expire_on_commit = expire and not clean
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire
    if db.engine.dialect.name == "sqlite":
        _write_intent.set(True)


@contextmanager
def writer_turn() -> Iterator[None]:
    """On SQLite, queue this process's writers on a fair lock instead of SQLite's busy handler, whose growing
    sleeps make 16 concurrent writers crawl (p95 of seconds). PostgreSQL needs no such thing."""
    if db.engine.dialect.name == "sqlite":
        with _SQLITE_WRITERS:
            yield
    else:
        yield
