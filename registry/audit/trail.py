"""Security audit use cases: ``record`` an event (every area calls it), and search or export the trail (admins).

``record`` adds one ``SecurityEvent`` and seals it into the audit chain in the caller's transaction; the caller
commits with the change it audits, so a change and its audit row stand or fall together.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

from flask import has_request_context, request
from sqlalchemy import select

from registry import clock, pagination, policy
from registry.audit.chain import AUDIT
from registry.audit.events import EVENTS
from registry.audit.models import SecurityEvent
from registry.extensions import db
from registry.models import User
from registry.services.errors import ValidationFailed
from workflows import chain

DETAIL_TEXT_MAX = 500


def _clip(value: Any) -> Any:
    if isinstance(value, str):
        return value[:DETAIL_TEXT_MAX]
    if isinstance(value, dict):
        return {str(k)[:64]: _clip(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clip(v) for v in list(value)[:50]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:DETAIL_TEXT_MAX]


def record(event: str, actor: User | None, target: str | None = None, details: dict | None = None, *,
           actor_label: str | None = None, address: str | None = None, now: datetime | None = None
           ) -> SecurityEvent:
    """Add and seal one security event; the caller commits. ``actor`` None is the system (or, with
    ``actor_label``, someone not signed in, such as a failed sign-in's typed e-mail). The client address is the
    request's (``remote_addr``, which ProxyFix corrects behind a proxy) unless given. Raises ValueError for an
    event code not in ``EVENTS`` (a programming error, never user input)."""
    if event not in EVENTS:
        raise ValueError(f"unknown security event {event!r}")
    if address is None and has_request_context():
        address = request.remote_addr
    row = SecurityEvent(event=event, actor_id=actor.id if actor is not None else None,
                        actor=(actor.email if actor is not None else actor_label or None),
                        target=(target or None) and target[:200], address=(address or None) and address[:64],
                        details=_clip(details or {}), at=now or clock.now())
    if row.actor:
        row.actor = row.actor[:120]
    db.session.add(row)
    return chain.seal(row, AUDIT)


@dataclass(frozen=True)
class AuditFilters:
    actor: str = ""  # part of the e-mail
    event: str = ""  # a code of EVENTS
    address: str = ""  # the start of the address
    since: date | None = None  # Linhai dates, both ends included
    until: date | None = None


def parse_filters(args) -> AuditFilters:
    """Filters from query parameters; raises ValidationFailed naming the field of a bad date or event."""
    errors: dict[str, list[str]] = {}
    days: dict[str, date | None] = {}
    for name in ("since", "until"):
        text = (args.get(name) or "").strip()
        try:
            days[name] = date.fromisoformat(text) if text else None
        except ValueError:
            errors[name] = ["日期格式应为 YYYY-MM-DD。"]
            days[name] = None
    event = (args.get("event") or "").strip()
    if event and event not in EVENTS:
        errors["event"] = ["未知的事件类型。"]
    filters = AuditFilters(actor=(args.get("actor") or "").strip()[:120], event=event,
                           address=(args.get("address") or "").strip()[:64], **days)
    if errors:
        raise ValidationFailed(errors)
    return filters


def _require_admin(actor: User) -> None:
    policy.check(actor, "audit.view")


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _local_midnight(day: date) -> datetime:
    """The start of a Linhai day, in UTC (SQLite compares stored UTC text, so the zone must be UTC)."""
    return datetime.combine(day, datetime.min.time(), clock.LOCAL_TZ).astimezone(timezone.utc)


def _query(filters: AuditFilters):
    query = select(SecurityEvent)
    if filters.actor:
        query = query.where(SecurityEvent.actor.ilike(f"%{_like(filters.actor)}%", escape="\\"))
    if filters.event:
        query = query.where(SecurityEvent.event == filters.event)
    if filters.address:
        query = query.where(SecurityEvent.address.like(f"{_like(filters.address)}%", escape="\\"))
    if filters.since:
        query = query.where(SecurityEvent.at >= _local_midnight(filters.since))
    if filters.until:
        query = query.where(SecurityEvent.at < _local_midnight(filters.until + timedelta(days=1)))
    return query


def search(actor: User, filters: AuditFilters, page: int = 1, per_page: int = 50) -> pagination.Page:
    """One page of the trail, newest first (administrators only). Raises Forbidden."""
    _require_admin(actor)
    query = _query(filters).order_by(SecurityEvent.seq.desc(), SecurityEvent.id.desc())
    return pagination.of_query(query, page, per_page)


def rows_for_export(actor: User, filters: AuditFilters) -> Iterator[SecurityEvent]:
    """Every matching event, newest first, streamed (administrators only); records the export itself, so an
    export of the trail shows in the trail. Raises Forbidden."""
    _require_admin(actor)
    exported(actor, "安全审计记录", {"filters": filter_words(filters)}, target="security_events")
    return db.session.scalars(_query(filters).order_by(SecurityEvent.seq.desc()).execution_options(yield_per=500))


def exported(actor: User, what: str, details: dict | None = None, *, target: str | None = None,
             event: str = "export") -> None:
    """Record that ``actor`` took bulk data out (an .xlsx export, or ``event="download"`` of a prepared file) and
    commit; called by each export use case before it hands the file over."""
    from registry.database import begin_write

    begin_write()
    record(event, actor, target, {"what": what, **(details or {})})
    db.session.commit()


def filter_words(filters) -> dict:
    """A filters dataclass as the non-empty values an audit row keeps (dates and codes as text)."""
    out = {}
    for key, value in vars(filters).items():
        if value in (None, "", [], ()):
            continue
        if hasattr(value, "code"):
            value = value.code
        elif isinstance(value, date):
            value = value.isoformat()
        elif not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[key] = value
    return out
