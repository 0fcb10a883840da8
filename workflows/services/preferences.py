"""Each user's own notification channels, and their in-app notifications."""
from __future__ import annotations

from urllib.parse import urlparse

from sqlalchemy import select, update

from registry import clock
from registry.extensions import db
from registry.models import User
from registry.services.errors import ValidationFailed
from workflows.models import Notification, NotificationPreference


def get(user: User) -> NotificationPreference:
    return db.session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)


def save(user: User, *, email_enabled: bool, email: str | None, webhook_enabled: bool, webhook_url: str | None):
    """Set the user's channels (in-app is always on); commit. Raises ValidationFailed for a bad URL."""
    webhook_url = (webhook_url or "").strip() or None
    if webhook_enabled and not webhook_url:
        raise ValidationFailed({"webhook_url": ["启用机器人推送时请填写 Webhook 地址。"]})
    if webhook_url:
        parsed = urlparse(webhook_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or len(webhook_url) > 500:
            raise ValidationFailed({"webhook_url": ["Webhook 地址须为 http(s) 地址。"]})
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id)
        db.session.add(pref)
    pref.email_enabled, pref.email = bool(email_enabled), (email or "").strip() or None
    pref.webhook_enabled, pref.webhook_url = bool(webhook_enabled), webhook_url
    db.session.commit()
    return pref


def recent(user: User, limit: int = 50) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def mark_all_read(user: User) -> None:
    db.session.execute(update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
                       .values(read_at=clock.now()))
    db.session.commit()
