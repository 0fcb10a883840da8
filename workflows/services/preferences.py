"""Each user's own notification channels (in-app messages themselves: ``workflows.services.messages``)."""
from __future__ import annotations

from urllib.parse import urlparse

from email_validator import EmailNotValidError, validate_email

from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from registry.services.errors import ValidationFailed
from workflows.models import NotificationPreference


def _is_http_url(url: str) -> bool:
    if len(url) > 500 or any(ord(ch) < 32 for ch in url):
        return False
    try:
        parsed = urlparse(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def get(user: User) -> NotificationPreference:
    return db.session.get(NotificationPreference, user.id) or NotificationPreference(user_id=user.id)


def save(user: User, *, email_enabled: bool, email: str | None, webhook_enabled: bool, webhook_url: str | None):
    """Set the user's channels (in-app is always on); commit. Raises ValidationFailed for a bad address or URL."""
    webhook_url = (webhook_url or "").strip() or None
    email = (email or "").strip() or None
    errors: dict[str, list[str]] = {}
    if webhook_enabled and not webhook_url:
        errors["webhook_url"] = ["启用机器人推送时请填写 Webhook 地址。"]
    if webhook_url and not _is_http_url(webhook_url):
        errors["webhook_url"] = ["Webhook 地址须为 http(s) 地址。"]
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = ["请填写有效的电子邮箱。"]
    if errors:
        raise ValidationFailed(errors)
    begin_write()
    pref = db.session.get(NotificationPreference, user.id)
    if pref is None:
        pref = NotificationPreference(user_id=user.id)
        db.session.add(pref)
    pref.email_enabled, pref.email = bool(email_enabled), email
    pref.webhook_enabled, pref.webhook_url = bool(webhook_enabled), webhook_url
    db.session.commit()
    return pref

