"""Sending one notification through one channel: e-mail over SMTP, SMS through the government SMS gateway (a JSON
POST), or a DingTalk-style JSON webhook."""
from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

import requests
from flask import current_app

from registry import outbound
from registry.extensions import db
from registry.models import User
from registry.text import one_line
from workflows import links, mailsink
from workflows.models import Notification, NotificationPreference

SMS_LIMIT = 70  # characters of one SMS in Chinese (UCS-2), the 【签名】 included
SMS_BODY_CHARS = 50
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# The gateway refused this message itself (bad number, unregistered sign, bad token): retrying cannot help.
# 408 and 429 are "try later" and stay retryable.
_RETRYABLE_4XX = {408, 429}


class DeliveryError(Exception):
    """The channel refused or could not be reached; the outbox row will be retried unless ``permanent``."""

    permanent = False


class PermanentDeliveryError(DeliveryError):
    """The channel refused the message for good (a 4xx from the SMS gateway): dead-letter it, do not retry."""

    permanent = True


def sms_available() -> bool:
    """The SMS channel exists only where a gateway is configured (``SMS_GATEWAY_URL``)."""
    return bool(current_app.config.get("SMS_GATEWAY_URL"))


def send(notification_id: int, channel: str) -> None:
    """Deliver the notification through ``channel`` to its user; raises DeliveryError."""
    note = db.session.get(Notification, notification_id)
    user = db.session.get(User, note.user_id) if note else None
    if note is None or user is None:
        return  # the notification or the user is gone: nothing to send
    pref = db.session.get(NotificationPreference, user.id)
    try:
        if channel == "email":
            _email(pref.email if pref and pref.email else user.email, note)
        elif channel == "webhook" and pref and pref.webhook_url:
            _webhook(pref.webhook_url, note)
        elif channel == "sms" and pref and pref.mobile:
            _sms(pref.mobile, note)
    except outbound.UnsafeDestination as exc:  # refused before any connection (SSRF defence)
        error = PermanentDeliveryError if exc.permanent else DeliveryError
        raise error(f"{channel}: refused destination: {exc}") from exc
    except (OSError, smtplib.SMTPException, requests.RequestException) as exc:
        raise DeliveryError(f"{channel}: {exc}") from exc


def _email(address: str, note: Notification) -> None:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = one_line(note.title)  # a header: a line break in user text must not break it
    message["From"] = config["SMTP_SENDER"]
    message["To"] = address
    message["X-Registry-Effect"] = f"{note.effect_key}:email"
    message.set_content(email_text(note))
    if mailsink.enabled():  # development: the letter lands in INSTANCE_DIR/mail, shown on the admin pages
        mailsink.deliver(message, f"{note.effect_key}:email")
        return
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]) as smtp:
        smtp.send_message(message)


def email_text(note: Notification) -> str:
    """The e-mail's text: the message, the address of the page it is about, the platform's name."""
    link = links.absolute(note.link)
    opening = f"\n\n查看并办理：{link}" if link else ""
    return f"{note.body}{opening}\n\n— 临海市质量强市登记与评审平台"


def _webhook(url: str, note: Notification) -> None:
    link = links.absolute(note.link)
    content = f"{note.title}\n{note.body}" + (f"\n{link}" if link else "")
    body = {"msgtype": "text", "text": {"content": content}, "url": link,
            "effect_key": f"{note.effect_key}:webhook", "application_id": note.application_id}
    response = outbound.post_json(url, body, timeout=current_app.config["WEBHOOK_TIMEOUT"])
    if 300 <= response.status_code < 400:  # never followed: a redirect could point anywhere, retrying cannot help
        raise PermanentDeliveryError(f"webhook answered a redirect ({response.status_code}), not followed")
    if response.status_code >= 300:
        raise DeliveryError(f"webhook answered {response.status_code}")


def _sms(mobile: str, note: Notification) -> None:
    """POST one text to the gateway. ``biz_id`` (the effect key) lets the gateway drop a repeat of the same
    message; the outbox claim keeps this worker from sending one row twice."""
    config = current_app.config
    if not config.get("SMS_GATEWAY_URL"):
        raise DeliveryError("sms: no gateway configured (SMS_GATEWAY_URL)")
    sign = sms_sign(config["SMS_SIGN"])
    body = {"mobile": mobile, "content": sms_text(note.title, note.body, sign), "sign": sign,
            "biz_id": f"{note.effect_key}:sms"}
    headers = {"Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"} if config.get("SMS_GATEWAY_TOKEN") else {}
    response = outbound.post_json(config["SMS_GATEWAY_URL"], body, headers=headers, timeout=config["SMS_TIMEOUT"])
    status = response.status_code
    if 300 <= status < 400:
        raise PermanentDeliveryError(f"sms gateway answered a redirect ({status}), not followed")
    if 400 <= status < 500 and status not in _RETRYABLE_4XX:
        raise PermanentDeliveryError(f"sms gateway refused the message: {status} {response.text[:200]}")
    if status >= 300:
        raise DeliveryError(f"sms gateway answered {status}")


def sms_sign(sign: str) -> str:
    """The signature in 【】, as the platform registers it."""
    sign = (sign or "").strip()
    return sign if not sign or sign.startswith("【") else f"【{sign}】"


def sms_text(title: str, body: str, sign: str) -> str:
    """One SMS worth of text (the sign excluded, which the gateway puts in front): the title, then the start of
    the body, cut so that sign + text <= ``SMS_LIMIT`` characters. Links are dropped: an SMS carries no URL (and so
    no token in one); the reader signs in to see the rest."""
    budget = SMS_LIMIT - len(sign)
    title = _shorten(_plain(title), budget * 2 // 3)  # a long title still leaves room for some of the body
    body = _shorten(_plain(body), SMS_BODY_CHARS)
    return _shorten(f"{title}：{body}" if body else title, budget)


def _plain(text: str) -> str:
    """One line without links, and without characters outside the BMP (an emoji counts double in an SMS)."""
    text = "".join(ch for ch in _URL.sub("", text or "") if ord(ch) <= 0xFFFF)
    return " ".join(text.split())


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"
