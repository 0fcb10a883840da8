"""The outbox's use cases: running one row (the worker), and what bureau staff see and repair of it on the
消息投递 page (counts, the worker's heartbeat, dead rows; retry or discard them).

Statuses: ``pending`` -> ``sending`` -> ``done``; a row out of attempts is ``dead`` (``workflows.dispatch``). Staff
may put a dead row back to ``pending`` (retry) or set it aside as ``discarded`` (a status of this module: nothing
sends or counts it as a failure any more; it can still be retried from the discarded list). Both are
compare-and-set on the status the person saw, so two people clicking at once, or a click racing the worker,
change a row once. A retry never re-sends a delivered row: a row reaches
``done`` only after its channel accepted it, and only ``dead`` (or ``discarded``) rows are put back; the effect
key is unique per (notification, recipient, channel), so no other row carries the same message. The one
uncertain case is a row whose worker died, or whose receiver timed out, after the message left: the sender never
learnt whether it arrived. Such a retry goes out under the same effect key (``X-Registry-Effect`` header, the
webhook body's ``effect_key``), which is what the receiver drops a repeat by; the page marks those rows.

Who retried or discarded a row last, when and why is kept in its payload under ``"operator"`` (the job itself
reads only ``notification_id`` and ``channel``).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from flask import current_app
from sqlalchemy import func, select, update

from registry import db_retry, pagination, policy, request_ids, settings
from registry.clock import aware
from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from registry.services.errors import NotFound, ValidationFailed
from registry.services.health import heartbeat_age_seconds
from workflows import delivery, dispatch
from workflows.models import Notification, NotificationPreference, Outbox

log = logging.getLogger(__name__)

DEAD, DISCARDED = "dead", "discarded"
SET_ASIDE = (DEAD, DISCARDED)  # the two lists of the page; a person may retry from either
WORKER_DOWN_AFTER = timedelta(minutes=5)  # beat stamps the heartbeat every 30 s: ten missed beats
DONE_WINDOW = timedelta(days=7)
PER_PAGE = 20
PUBLISH_NOW = 500  # a "retry all" publishes this many at once; the relay sends the rest within seconds
NOTE_MAX = 500
_CHANNEL_SHAPE = re.compile(r"^[a-z]{1,16}$")


def channel_name(raw: str | None) -> str | None:
    """``raw`` when it is shaped like a channel name (``email``, ``webhook``, ``sms``), else None."""
    raw = (raw or "").strip()
    return raw if _CHANNEL_SHAPE.match(raw) else None


def run(outbox_id: int, now: datetime) -> str:
    """Deliver the row if it is still pending; returns "done", "retry", "dead" or "skipped" (done or taken)."""
    row = dispatch.claim(outbox_id, now, outage_wait=_outage_wait())
    if row is None:
        return "skipped"
    payload = dict(row.payload or {})
    with request_ids.bound(payload.get("request_id")):  # a row the relay re-sent logs under its writer's id
        return _deliver(outbox_id, row, payload, now)


def _deliver(outbox_id: int, row: Outbox, payload: dict, now: datetime) -> str:
    max_attempts = int(settings.get("workflows.outbox_max_attempts"))
    attempts = row.attempts
    try:
        delivery.send(payload.get("notification_id"), payload.get("channel"))
    except delivery.DeliveryError as exc:
        if exc.permanent:  # refused for good (e.g. an SMS gateway's 4xx): dead now, no retries
            max_attempts = attempts
        error = str(exc)
    except SoftTimeLimitExceeded:  # the task records it as timed out (workflows.tasks.send_notification)
        raise
    except Exception as exc:  # noqa: BLE001  any failure of one delivery (bad data, a bug) is a failed attempt:
        error = f"{type(exc).__name__}: {exc}"  # recorded and retried, then dead; never a row left in "sending"
    else:
        _record(lambda: dispatch.finish(outbox_id, now), outbox_id)
        log.info("outbox %s (%s) delivered on attempt %s", outbox_id, payload.get("channel"), attempts)
        return "done"
    db.session.rollback()  # the failure may have left the session mid-transaction
    _record(lambda: dispatch.finish(outbox_id, now, error=error or "unknown error", max_attempts=max_attempts),
            outbox_id)
    outcome = "dead" if attempts >= max_attempts else "retry"
    # The error itself may name the recipient: it stays on the row (the 消息投递 page redacts it).
    log.warning("outbox %s (%s) attempt %s failed: %s", outbox_id, payload.get("channel"), attempts, outcome)
    return outcome


def _outage_wait() -> float:
    """How long a delivery waits for the database to come back: three quarters of the notifications' soft time
    limit (45 s of 60 s)."""
    soft, hard = current_app.config["TASK_TIME_LIMITS"].get("notifications") or (None, 60.0)
    return 0.75 * (soft or hard)


def _record(finish, outbox_id: int) -> None:
    """Write a delivery's outcome even through a database restart: a ``sending`` row left behind would be sent
    again after its lease."""
    db_retry.persist(finish, within=_outage_wait(), what=f"outbox {outbox_id} outcome")


TIMED_OUT = "time limit exceeded (the channel did not answer)"


def timed_out(outbox_id: int, now: datetime) -> str:
    """The delivery of a claimed row ran past its time limit: a failed attempt (dead after its attempts)."""
    db.session.rollback()
    row = db.session.get(Outbox, outbox_id)
    if row is None or row.status != "sending":
        return "skipped"
    max_attempts = int(settings.get("workflows.outbox_max_attempts"))
    dispatch.finish(outbox_id, now, error=TIMED_OUT, max_attempts=max_attempts)
    return "dead" if row.attempts >= max_attempts else "retry"


# --- what the page shows -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Overview:
    pending: int
    sending: int
    dead: int
    discarded: int
    done_recently: int  # within DONE_WINDOW
    oldest_pending_seconds: float | None
    heartbeat_seconds: float | None  # None: no heartbeat was ever recorded
    worker_down: bool
    dead_channels: list[str]  # channels that have dead rows, for the filter


@dataclass(frozen=True)
class SetAsideRow:
    """A dead or discarded row as the page lists it; the address is masked, secrets are cut from the error."""
    id: int
    created_at: datetime
    channel: str
    recipient: str | None  # the user's display name (None: user or notification gone)
    address: str | None
    title: str | None
    attempts: int
    error: str | None
    maybe_delivered: bool  # the last attempt lost its sender mid-delivery: the message may have arrived
    operator: dict | None  # {"action", "by", "user_id", "at" (datetime), "note"} of the last retry or discard


def _require_staff(user: User) -> None:
    policy.check(user, "delivery.manage")


def _channel_of():
    return Outbox.payload["channel"].as_string()


def overview(user: User, now: datetime) -> Overview:
    """Counts by status, the oldest pending row's age and the worker's heartbeat. Raises Forbidden."""
    _require_staff(user)
    counts = dict(db.session.execute(select(Outbox.status, func.count(Outbox.id)).group_by(Outbox.status)).all())
    done_recently = db.session.scalar(select(func.count(Outbox.id)).where(
        Outbox.status == "done", Outbox.done_at >= now - DONE_WINDOW))
    oldest = db.session.scalar(select(func.min(Outbox.created_at)).where(Outbox.status == "pending"))
    heartbeat = heartbeat_age_seconds()
    channels = db.session.scalars(select(_channel_of()).where(Outbox.status == DEAD).distinct())
    return Overview(
        pending=counts.get("pending", 0), sending=counts.get("sending", 0), dead=counts.get(DEAD, 0),
        discarded=counts.get(DISCARDED, 0), done_recently=done_recently or 0,
        oldest_pending_seconds=max(0.0, (now - aware(oldest)).total_seconds()) if oldest else None,
        heartbeat_seconds=heartbeat,
        worker_down=heartbeat is None or heartbeat > WORKER_DOWN_AFTER.total_seconds(),
        dead_channels=sorted(c for c in channels if c))


def set_aside(user: User, *, status: str = DEAD, channel: str | None = None, page: int = 1,
              per_page: int = PER_PAGE) -> pagination.Page:
    """Dead (or discarded) rows, newest first, optionally of one channel. Raises Forbidden."""
    _require_staff(user)
    status = status if status in SET_ASIDE else DEAD
    where = [Outbox.status == status]
    if channel:
        where.append(_channel_of() == channel)
    found = pagination.of_query(select(Outbox).where(*where).order_by(Outbox.id.desc()), page, per_page)
    return replace(found, items=_described(found.items))


def _described(rows: list[Outbox]) -> list[SetAsideRow]:
    note_ids = {(r.payload or {}).get("notification_id") for r in rows} - {None}
    notes = {n.id: n for n in db.session.scalars(select(Notification).where(Notification.id.in_(note_ids)))}
    user_ids = {n.user_id for n in notes.values()}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    prefs = {p.user_id: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids)))}
    described = []
    for row in rows:
        payload = row.payload or {}
        channel = str(payload.get("channel") or "")
        note = notes.get(payload.get("notification_id"))
        user = users.get(note.user_id) if note else None
        raw = _address(channel, user, prefs.get(user.id) if user else None)
        described.append(SetAsideRow(
            id=row.id, created_at=aware(row.created_at), channel=channel,
            recipient=user.display_name if user else None, address=mask_address(channel, raw),
            title=note.title if note else None, attempts=row.attempts,
            error=redact(row.last_error, raw, channel), maybe_delivered=row.last_error == dispatch.WORKER_LOST,
            operator=_operator(payload.get("operator"))))
    return described


def _operator(stamp) -> dict | None:
    """The stored stamp with its time as an aware datetime (``at``), for the page to show in local time."""
    if not isinstance(stamp, dict):
        return None
    try:
        at = aware(datetime.fromisoformat(str(stamp.get("at"))))
    except ValueError:
        at = None
    return {**stamp, "at": at}


def _address(channel: str, user: User | None, pref: NotificationPreference | None) -> str | None:
    """Where the channel sends to now (as ``workflows.delivery`` reads it): what a retry would use."""
    if user is None:
        return None
    if channel == "email":
        return (pref.email if pref and pref.email else None) or user.email
    if channel == "webhook":
        return pref.webhook_url if pref else None
    if channel == "sms":
        return pref.mobile if pref else None  # delivery sends to the preference's number only
    return None


def mask_address(channel: str, address: str | None) -> str | None:
    """Enough of an address to recognise it: ``zh***@example.cn``, ``https://oapi.dingtalk.com/…``, ``138****5678``.
    A webhook's path and query carry its access token, so only the host is kept."""
    if not address:
        return None
    if channel == "email" and "@" in address:
        local, _, domain = address.rpartition("@")
        return f"{local[:2] if len(local) > 3 else local[:1]}***@{domain}"
    if channel == "webhook":
        try:
            parts = urlsplit(address)
        except ValueError:
            return "***"
        rest = "/…" if (parts.path.strip("/") or parts.query) else ""
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{rest}" if parts.netloc else "***"
    digits = address.strip()
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "***"


_QUERY_VALUE = re.compile(r"([?&][^=\s&?#'\"]{1,64}=)[^&\s'\")#]+")


def redact(error: str | None, address: str | None, channel: str) -> str | None:
    """The last error without the secrets it may quote: the webhook URL (its token), the raw address, and any
    query-string value (``access_token=…``)."""
    if not error:
        return error
    if address:
        masked = mask_address(channel, address) or "***"
        candidates = [address]
        if channel == "webhook":
            try:
                parts = urlsplit(address)
                tail = parts.path + (f"?{parts.query}" if parts.query else "")
                if len(tail) > 1:
                    candidates.append(tail)
            except ValueError:
                pass
        for text in candidates:
            error = error.replace(text, masked)
    return _QUERY_VALUE.sub(r"\1***", error)


# --- what staff may do ----------------------------------------------------------------------------------------

def _stamp(row_payload: dict | None, action: str, user: User, now: datetime, note: str | None = None) -> dict:
    payload = dict(row_payload or {})
    payload["operator"] = {"action": action, "by": user.display_name or user.email, "user_id": user.id,
                           "at": now.isoformat(), "note": note}
    return payload


def _back_to_pending(row_id: int, payload: dict, user: User, now: datetime, expected: str) -> bool:
    result = db.session.execute(
        update(Outbox).where(Outbox.id == row_id, Outbox.status == expected)
        .values(status="pending", attempts=0, next_attempt_at=now, payload=_stamp(payload, "retry", user, now)))
    return result.rowcount == 1


def retry(user: User, outbox_id: int, now: datetime, expected: str = DEAD) -> bool:
    """Put one row that is still in the ``expected`` state (``dead``, or ``discarded`` from that list: the state
    the person saw) back to pending with its attempts reset, due now; commit, then publish it.

    Returns False, changing nothing, when the row has left that state (someone retried or discarded it meanwhile,
    or it was delivered). Raises Forbidden, NotFound, ValidationFailed (an ``expected`` that is neither).
    """
    _require_staff(user)
    if expected not in SET_ASIDE:
        raise ValidationFailed({"expected": ["只能重试发送失败或已放弃的消息。"]})
    begin_write()
    row = db.session.get(Outbox, outbox_id)
    if row is None:
        db.session.rollback()
        raise NotFound("没有这条消息记录。")
    task = row.task
    changed = _back_to_pending(outbox_id, row.payload, user, now, expected)
    db.session.commit()
    if changed:
        dispatch.publish([(outbox_id, task)])  # after commit; if the broker is down the relay sends it
    return changed


def retry_channel(user: User, channel: str, now: datetime) -> int:
    """Put every dead row of ``channel`` back to pending (as ``retry``); commit, then publish them. Returns how
    many were put back. Raises Forbidden, ValidationFailed (no such channel name)."""
    _require_staff(user)
    channel = channel_name(channel)
    if channel is None:
        raise ValidationFailed({"channel": ["请选择要重试的发送渠道。"]})
    begin_write()
    rows = db.session.execute(select(Outbox.id, Outbox.task, Outbox.payload).where(
        Outbox.status == DEAD, _channel_of() == channel).order_by(Outbox.id)).all()
    jobs = [(row_id, task) for row_id, task, payload in rows
            if _back_to_pending(row_id, payload, user, now, DEAD)]
    db.session.commit()
    dispatch.publish(jobs[:PUBLISH_NOW])  # they are due now: the relay publishes any left over or deferred
    return len(jobs)


def discard(user: User, outbox_id: int, note: str | None, now: datetime) -> bool:
    """Set a dead row aside as discarded, with the person's note; commit. Returns False, changing nothing, when
    the row is not dead (discarded already, or retried meanwhile). Raises Forbidden, NotFound, ValidationFailed."""
    _require_staff(user)
    note = (note or "").replace("\x00", "").strip() or None
    if note and len(note) > NOTE_MAX:
        raise ValidationFailed({"note": [f"说明不能超过 {NOTE_MAX} 个字。"]})
    begin_write()
    row = db.session.get(Outbox, outbox_id)
    if row is None:
        db.session.rollback()
        raise NotFound("没有这条消息记录。")
    result = db.session.execute(
        update(Outbox).where(Outbox.id == outbox_id, Outbox.status == DEAD)
        .values(status=DISCARDED, payload=_stamp(row.payload, "discard", user, now, note)))
    db.session.commit()
    return result.rowcount == 1

