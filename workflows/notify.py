"""Write notifications inside the caller's transaction: an in-app row per recipient (always) and one outbox row
per extra channel the recipient chose. Effect keys make every (event, recipient, channel) deliverable once.

Set-based: the recipients are a condition on ``users``; one ``INSERT ... SELECT`` writes every in-app row and one
more writes every outbox row (joined to the recipients' preferences), so an action costs the same two statements
whether it tells one person or two hundred.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import JSON, String, and_, bindparam, cast, func, insert, literal_column, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import GenericFunction

from registry import request_ids
from registry.extensions import db
from registry.models import User
from workflows.delivery import sms_available
from workflows.models import Notification, NotificationPreference, Outbox

SEND_TASK = "workflows.send_notification"
# Every kind of message the system sends. Each carries the link to the page it is about (tests/workflows/
# test_notification_links.py sends one of each and opens the link as its recipient).
KINDS = frozenset({
    "transition",  # an application moved (to the applicant and whoever acts next)
    "reminder",  # a stage's deadline is near (to whoever has not acted)
    "escalation",  # a stage's deadline has passed (to the bureau and whoever has not acted)
    "surveillance",  # a certificate's yearly surveillance is due
    "expiry",  # a certificate expires soon
    "assignment",  # an expert was seated on an award panel: declare conflicts, then score
})
# The after-commit publish normally runs the job at once; the relay only steps in when that did not happen.
RELAY_GRACE = timedelta(seconds=30)


class json_pairs(GenericFunction):
    """A JSON object built in SQL from alternating keys and values (PostgreSQL ``json_build_object``, SQLite
    ``json_object``)."""
    type = JSON()
    inherit_cache = True


@compiles(json_pairs)
def _json_pairs(element, compiler, **kw):
    return f"json_object({compiler.process(element.clauses, **kw)})"


@compiles(json_pairs, "postgresql")
def _json_pairs_pg(element, compiler, **kw):
    return f"json_build_object({compiler.process(element.clauses, **kw)})"


def channels_for(pref: NotificationPreference | None) -> list[str]:
    found = []
    if pref is not None and pref.email_enabled:
        found.append("email")
    if pref is not None and pref.webhook_enabled and pref.webhook_url:
        found.append("webhook")
    if pref is not None and pref.sms_enabled and pref.mobile and sms_available():
        found.append("sms")
    return found


def _channel_conditions(sms: bool) -> list[tuple[str, object]]:
    """``channels_for`` as SQL conditions on ``NotificationPreference`` (``sms``: whether SMS is available)."""
    pref = NotificationPreference
    found = [("email", pref.email_enabled.is_(True)),
             ("webhook", and_(pref.webhook_enabled.is_(True), pref.webhook_url.is_not(None), pref.webhook_url != ""))]
    if sms:
        found.append(("sms", and_(pref.sms_enabled.is_(True), pref.mobile.is_not(None), pref.mobile != "")))
    return found


def notify(users: list[User], *, key: str, kind: str, title: str, body: str, now: datetime, link: str,
           application_id: int | None = None, transition_id: int | None = None) -> list[tuple[int, str]]:
    """Add notifications for ``users`` under effect key ``{key}:u{user}`` (caller commits). ``link``: the path of
    the page the message is about, one every recipient may open (``workflows.links``).

    Returns the (outbox id, task) pairs to publish after commit. Raises ValueError for an unknown kind or a link
    that is not a path of this site.
    """
    ids = sorted({u.id for u in users})
    _check(kind, link)
    if not ids:
        return []
    return notify_where(User.id.in_(ids), key=key, kind=kind, title=title, body=body, now=now, link=link,
                        application_id=application_id, transition_id=transition_id)


def notify_where(recipients, *, key: str, kind: str, title: str, body: str, now: datetime, link: str,
                 application_id: int | None = None, transition_id: int | None = None, shape: tuple | None = None,
                 params: dict | None = None) -> list[tuple[int, str]]:
    """``notify`` for every user meeting the SQL condition ``recipients`` (on ``User``): two statements, however
    many they are. Returns the (outbox id, task) pairs to publish after commit.

    ``shape``: a key naming ``recipients`` as one condition object with bound ``params`` (``workflows.recipients.
    bound``): the statement is then built once per shape and reused, instead of once per call."""
    _check(kind, link)
    statement = _notes_statement().where(recipients) if shape is None else _notes_for(shape, recipients)
    notes = db.session.connection().execute(statement, {
        **(params or {}), "prefix": f"{key}:u", "application_id": application_id, "transition_id": transition_id,
        "kind": kind, "title": title[:200], "body": body, "link": link, "now": now}).all()
    if not notes:
        return []
    return _outbox_rows([row.id for row in notes], now)


def notify_transitions(transition_ids: list[int], recipients, *, kind: str, title: tuple[str, str], body: str,
                       link: tuple[str, str], now: datetime) -> list[tuple[int, str]]:
    """Messages about many history rows at once (a bulk action): for each row, every user meeting ``recipients`` (a
    condition on ``User`` joined to the row's ``Application`` and its ``Enterprise``), under effect key
    ``t{transition}:u{user}``; the title is ``title[0] + the application's title + title[1]``, the link
    ``link[0] + its id + link[1]``. Two statements however many rows and people. Returns the jobs to publish."""
    from workflows.models import Transition

    return _notify_about(Transition, transition_ids, ("t", ""), recipients, kind=kind, title=title, body=body,
                         link=link, now=now)


def notify_runs(run_ids: list[int], recipients, *, key: tuple[str, str], kind: str, title: tuple[str, str],
                body: str, link: tuple[str, str], now: datetime) -> list[tuple[int, str]]:
    """``notify_transitions`` for stage runs (reminders, escalations): effect key ``key[0] + run id + key[1]``
    + ``:u{user}``; ``recipients`` may also name ``StageRun``."""
    from workflows.models import StageRun

    return _notify_about(StageRun, run_ids, key, recipients, kind=kind, title=title, body=body, link=link, now=now)


def _notify_about(rows, ids, key, recipients, *, kind, title, body, link, now) -> list[tuple[int, str]]:
    _check(kind, link[0] or "/")
    if not ids:
        return []
    from registry.models import Enterprise
    from workflows.models import Application, Transition

    effect_key = (bindparam("key_0", type_=String) + cast(rows.id, String) + bindparam("key_1", type_=String)
                  + cast(User.id, String))
    title_sql = func.substr(bindparam("title_0", type_=String) + Application.title + bindparam("title_1", type_=String),
                            1, 200)
    link_sql = bindparam("link_0", type_=String) + cast(Application.id, String) + bindparam("link_1", type_=String)
    transition = rows.id if rows is Transition else bindparam("no_transition", None, type_=Notification.transition_id.type)
    statement = insert(Notification).from_select(
        ["effect_key", "user_id", "application_id", "transition_id", "kind", "title", "body", "link", "created_at"],
        select(effect_key, User.id, Application.id, transition, bindparam("kind", type_=String), title_sql,
               bindparam("body", type_=String), link_sql, bindparam("now", type_=Notification.created_at.type))
        .select_from(rows).join(Application, Application.id == rows.application_id)
        .join(Enterprise, Enterprise.id == Application.enterprise_id).join(User, recipients)
        .where(rows.id.in_(bindparam("rows", expanding=True))).order_by(rows.id, User.id)
    ).returning(Notification.id)
    notes = db.session.connection().execute(statement, {
        "rows": list(ids), "key_0": key[0], "key_1": f"{key[1]}:u", "kind": kind, "title_0": title[0],
        "title_1": title[1], "body": body, "link_0": link[0], "link_1": link[1], "now": now}).all()
    if not notes:
        return []
    return _outbox_rows([row.id for row in notes], now)


def _outbox_rows(note_ids: list[int], now: datetime) -> list[tuple[int, str]]:
    request_id = request_ids.current()  # the worker logs the delivery under the id of the request that caused it
    rows = db.session.connection().execute(_outbox_statement(sms_available(), bool(request_id)), {
        "ids": note_ids, "task": SEND_TASK, "request_id": request_id, "now": now,
        "next_attempt": now + RELAY_GRACE}).all()
    return sorted((row.id, row.task) for row in rows)


class _NotesInsert:
    """INSERT INTO notifications ... SELECT ... FROM users, waiting for its WHERE (the recipients)."""

    def __init__(self):
        self.columns = ["effect_key", "user_id", "application_id", "transition_id", "kind", "title", "body", "link",
                        "created_at"]
        self.select = select(bindparam("prefix", type_=String) + cast(User.id, String), User.id,
                             bindparam("application_id", type_=Notification.application_id.type),
                             bindparam("transition_id", type_=Notification.transition_id.type),
                             bindparam("kind", type_=String), bindparam("title", type_=String),
                             bindparam("body", type_=String), bindparam("link", type_=String),
                             bindparam("now", type_=Notification.created_at.type))

    def where(self, recipients):
        return insert(Notification).from_select(self.columns, self.select.where(recipients).order_by(User.id)) \
            .returning(Notification.id)


_NOTES: list[_NotesInsert] = []
_OUTBOX: dict[tuple[bool, bool], object] = {}


_NOTES_BY_SHAPE: dict[tuple, object] = {}


def _notes_for(shape: tuple, recipients):
    if shape not in _NOTES_BY_SHAPE:
        _NOTES_BY_SHAPE[shape] = _notes_statement().where(recipients)
    return _NOTES_BY_SHAPE[shape]


def _notes_statement() -> _NotesInsert:
    if not _NOTES:
        _NOTES.append(_NotesInsert())
    return _NOTES[0]


def _outbox_statement(sms: bool, with_request_id: bool):
    """INSERT INTO outbox ... SELECT one row per (notification, chosen channel), built once per shape."""
    shape = (sms, with_request_id)
    if shape not in _OUTBOX:
        pref = NotificationPreference
        selects = []
        for channel, condition in _channel_conditions(sms):
            pairs = [literal_column("'notification_id'"), Notification.id, literal_column("'channel'"),
                     literal_column(f"'{channel}'")]
            if with_request_id:
                pairs += [literal_column("'request_id'"), bindparam("request_id", type_=String)]
            selects.append(
                select(Notification.effect_key + literal_column(f"':{channel}'"), bindparam("task", type_=String),
                       json_pairs(*pairs), literal_column("'pending'"), literal_column("0"),
                       bindparam("now", type_=Outbox.created_at.type),
                       bindparam("next_attempt", type_=Outbox.next_attempt_at.type))
                .join(pref, pref.user_id == Notification.user_id)
                .where(Notification.id.in_(bindparam("ids", expanding=True)), condition))
        _OUTBOX[shape] = insert(Outbox).from_select(
            ["effect_key", "task", "payload", "status", "attempts", "created_at", "next_attempt_at"],
            union_all(*selects)).returning(Outbox.id, Outbox.task)
    return _OUTBOX[shape]


def _check(kind: str, link: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: add it to workflows.notify.KINDS")
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError(f"a notification links to a path of this site, not {link!r}")


def recipients_except(users: list[User], actor: User | None) -> list[User]:
    return [u for u in users if actor is None or u.id != actor.id]
