"""Each user's own notification channels (in-app messages themselves: ``workflows.services.messages``)."""
from __future__ import annotations

from urllib.parse import urlparse

from email_validator import EmailNotValidError, validate_email

from registry import outbound
from registry.contact import normalise_mobile  # one mobile rule, the master record's too
from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from registry.services.errors import ValidationFailed
from workflows.delivery import sms_available
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


def save(user: User, *, email_enabled: bool, email: str | None, webhook_enabled: bool, webhook_url: str | None,
         sms_enabled: bool | None = None, mobile: str | None = None):
    """Set the user's channels (in-app is always on); commit. ``sms_enabled=None`` leaves SMS as it was.

    Raises ValidationFailed for a bad address, URL or mobile number, or SMS asked for without a gateway.
    """
    webhook_url = (webhook_url or "").strip() or None
    email = (email or "").strip() or None
    errors: dict[str, list[str]] = {}
    if sms_enabled is not None:
        mobile, sms_errors = _checked_mobile(sms_enabled, mobile)
        errors.update(sms_errors)
    if webhook_enabled and not webhook_url:
        errors["webhook_url"] = ["启用机器人推送时请填写 Webhook 地址。"]
    if webhook_url and not _is_http_url(webhook_url):
        errors["webhook_url"] = ["Webhook 地址须为 http(s) 地址。"]
    elif webhook_url:
        try:
            outbound.check_url(webhook_url)
        except outbound.UnsafeDestination as exc:
            errors["webhook_url"] = [f"Webhook 地址不可用：{exc}"]
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
    if sms_enabled is not None:
        pref.sms_enabled, pref.mobile = bool(sms_enabled), mobile
    db.session.commit()
    return pref


def _checked_mobile(sms_enabled: bool, mobile: str | None) -> tuple[str | None, dict[str, list[str]]]:
    """The normalised number and the field errors (keyed ``sms_enabled`` / ``mobile``)."""
    raw = (mobile or "").strip()
    if sms_enabled and not sms_available():
        return None, {"sms_enabled": ["短信通道未开通，暂不能启用短信通知。"]}
    if not raw:
        return None, ({"mobile": ["启用短信通知时请填写手机号码。"]} if sms_enabled else {})
    number = normalise_mobile(raw)
    if number is None:
        return None, {"mobile": ["请填写 11 位中国大陆手机号码（如 138 1234 5678）。"]}
    return number, {}

