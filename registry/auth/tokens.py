"""API bearer tokens: issued once in plain text, stored as SHA-256."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select, update

from registry.database import begin_write
from registry.extensions import db
from registry.models import ApiToken, User
from registry.models.base import utcnow


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, label: str | None = None) -> str:
    """Create a token for ``user`` and commit; return the plain token (shown once)."""
    token = "qr_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), label=label))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    """The active user a bearer token belongs to, or None."""
    if not token:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked.is_(False)))
    if row is None or not row.user.is_active:
        return None
    now = utcnow()
    last = row.last_used_at
    if last is None or (now - (last if last.tzinfo else last.replace(tzinfo=now.tzinfo))).total_seconds() > 60:
        # A write after this read: take the write lock first (SQLite: BEGIN IMMEDIATE), or concurrent API calls fail
        # with "database is locked" when the read snapshot cannot be upgraded.
        begin_write()
        db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        db.session.commit()
    return row.user
