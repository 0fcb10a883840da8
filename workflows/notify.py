"""Write notifications inside the caller's transaction: an in-app row per recipient (always) and one outbox row
per extra channel the recipient chose. Effect keys make every (event, recipient, channel) deliverable once."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

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


def channels_for(pref: NotificationPreference | None) -> list[str]:
    found = []
    if pref is not None and pref.email_enabled:
        found.append("email")
    if pref is not None and pref.webhook_enabled and pref.webhook_url:
        found.append("webhook")
    if pref is not None and pref.sms_enabled and pref.mobile and sms_available():
        found.append("sms")
    return found


def notify(users: list[User], *, key: str, kind: str, title: str, body: str, now: datetime, link: str,
           application_id: int | None = None, transition_id: int | None = None) -> list[tuple[int, str]]:
    """Add notifications for ``users`` under effect key ``{key}:u{user}`` (caller commits). ``link``: the path of
    the page the message is about, one every recipient may open (``workflows.links``).

    Returns the (outbox id, task) pairs to publish after commit. Raises ValueError for an unknown kind or a link
    that is not a path of this site.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: add it to workflows.notify.KINDS")
    if not link.startswith("/") or link.startswith("//"):
        raise ValueError(f"a notification links to a path of this site, not {link!r}")
    users = list({u.id: u for u in users}.values())
    if not users:
        return []
    ids = [u.id for u in users]
    prefs = {p.user_id: p for p in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(ids)))}
    notes = []
    for user in users:
        note = Notification(effect_key=f"{key}:u{user.id}", user_id=user.id, application_id=application_id,
                            transition_id=transition_id, kind=kind, title=title[:200], body=body, link=link,
                            created_at=now)
        db.session.add(note)
        notes.append(note)
    db.session.flush()
    rows = []
    request_id = request_ids.current()  # the worker logs the delivery under the id of the request that caused it
    request_ref = {"request_id": request_id} if request_id else {}
    for note in notes:
        for channel in channels_for(prefs.get(note.user_id)):
            rows.append(Outbox(effect_key=f"{note.effect_key}:{channel}", task=SEND_TASK,
                               payload={"notification_id": note.id, "channel": channel, **request_ref},
                               created_at=now, next_attempt_at=now + RELAY_GRACE))
    if rows:
        db.session.add_all(rows)
        db.session.flush()
    return [(row.id, row.task) for row in rows]


def recipients_except(users: list[User], actor: User | None) -> list[User]:
    return [u for u in users if actor is None or u.id != actor.id]
