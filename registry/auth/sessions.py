"""Server-side sign-in sessions: created at login, checked on every request, ended at logout.

The browser cookie carries only a random session token; the database keeps its SHA-256, so a cookie
replayed after logout or a password change finds nothing and the request is anonymous.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from sqlalchemy import delete, select, update

from registry.database import begin_write
from registry.extensions import db
from registry.models import User, UserSession
from registry.models.base import utcnow

_TOUCH_EVERY = timedelta(seconds=60)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, user_agent: str | None) -> None:
    """Start a fresh session for ``user``: clears the old cookie contents (rotation) and stores a new token."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(token_hash=_digest(token), user_id=user.id, created_at=now, last_seen_at=now,
                               user_agent=(user_agent or "")[:200]))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session["sid"] = token
    session.permanent = True


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only if the cookie's token is a live session of theirs."""
    token = session.get("sid")
    if not token or not user_id.isdigit():
        return None
    row = db.session.scalar(select(UserSession).where(UserSession.token_hash == _digest(token)))
    if row is None or row.user_id != int(user_id):
        return None
    now = utcnow()
    last_seen = row.last_seen_at if row.last_seen_at.tzinfo else row.last_seen_at.replace(tzinfo=now.tzinfo)
    if now - last_seen > current_app.config["IDLE_TIMEOUT"]:
        begin_write()  # a page view (a read) writes here: in a write transaction of its own (SQLite)
        db.session.execute(delete(UserSession).where(UserSession.id == row.id))
        db.session.commit()
        return None
    if now - last_seen > _TOUCH_EVERY:
        begin_write(keep_loaded=True)
        db.session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
        db.session.commit()
    user = db.session.get(User, row.user_id)
    return user if user is not None and user.is_active else None


def close_session(user: User | None = None) -> None:
    """End the current browser session (logout); audited as ``sign_out`` of ``user`` when one was signed in."""
    from registry.audit.trail import record

    begin_write()  # a read-then-write on SQLite must not fail half way with "database is locked"
    token = session.pop("sid", None)
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))
    if user is not None:
        record("sign_out", user, f"user:{user.id}")
    db.session.commit()


def close_all_sessions(user_id: int) -> None:
    """End every session of a user (password change, deactivation). The caller commits."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))
