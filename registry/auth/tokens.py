"""API bearer tokens: issued once in plain text, stored as SHA-256; each has a name and an expiry and can be revoked.

A token is valid while it is not revoked, not expired and its account is active. Every token of an account is
revoked when its password changes, is reset, or the account is deactivated (``revoke_all``).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import bindparam, select, update

from registry.database import begin_write
from registry.extensions import db
from registry.models import ApiToken, User
from registry.models.base import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def issue_token(user: User, label: str | None = None, days: int | None = None, *, actor: User | None = None) -> str:
    """Create a token for ``user`` valid ``days`` (default API_TOKEN_DAYS) and commit; return the plain token.
    Audited as ``token_create`` by ``actor`` (None: the CLI)."""
    from registry.audit.trail import record

    begin_write()  # the audit seal reads and writes the chain head: take the write lock first (SQLite)
    days = days or current_app.config["API_TOKEN_DAYS"]
    token = "qr_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(token), label=label, expires_at=utcnow() + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    record("token_create", actor, f"user:{user.id}", {"email": user.email, "token_id": row.id, "label": label,
                                                       "days": days})
    db.session.commit()
    return token


def is_live(row: ApiToken) -> bool:
    return not row.revoked and _aware(row.expires_at) > utcnow()


def user_for_token(token: str) -> User | None:
    """The active user a live bearer token belongs to, or None."""
    if not token:
        return None
    row = db.session.scalar(_token_with_user(), {"digest": _digest(token)})
    if row is None or not is_live(row) or not row.user.is_active:
        return None
    now = utcnow()
    last = _aware(row.last_used_at)
    if last is None or (now - last).total_seconds() > 60:
        # A write after this read: take the write lock first (SQLite: BEGIN IMMEDIATE), or concurrent API calls fail
        # with "database is locked" when the read snapshot cannot be upgraded.
        begin_write()
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        db.session.commit()
    return row.user


@cache
def _token_with_user():
    """The unrevoked token of a digest, its account joined (``ApiToken.user``), built once: every API request
    runs it, and a statement object keeps its cache key."""
    return select(ApiToken).where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked.is_(False))


def revoke_all(user_id: int) -> int:
    """Revoke every live token of a user (password change or reset, deactivation). The caller commits."""
    result = db.session.execute(update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
                                .values(revoked=True, revoked_at=utcnow()))
    return result.rowcount or 0
