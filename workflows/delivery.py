"""Sending one notification through one channel: e-mail over SMTP, or a DingTalk-style JSON webhook."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

import requests
from flask import current_app

from registry.extensions import db
from registry.models import User
from workflows.models import Notification, NotificationPreference


class DeliveryError(Exception):
    """The channel refused or could not be reached; the outbox row will be retried."""


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
    except (OSError, smtplib.SMTPException, requests.RequestException) as exc:
        raise DeliveryError(f"{channel}: {exc}") from exc


def _email(address: str, note: Notification) -> None:
    config = current_app.config
    message = EmailMessage()
    message["Subject"] = note.title
    message["From"] = config["SMTP_SENDER"]
    message["To"] = address
    message["X-Registry-Effect"] = f"{note.effect_key}:email"
    message.set_content(f"{note.body}\n\n— 临海市质量强市登记与评审平台")
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=config["SMTP_TIMEOUT"]) as smtp:
        smtp.send_message(message)


def _webhook(url: str, note: Notification) -> None:
    body = {"msgtype": "text", "text": {"content": f"{note.title}\n{note.body}"},
            "effect_key": f"{note.effect_key}:webhook", "application_id": note.application_id}
    timeout = current_app.config["WEBHOOK_TIMEOUT"]
    response = requests.post(url, json=body, timeout=(min(timeout, 3.0), timeout), allow_redirects=False)
    if response.status_code >= 300:
        raise DeliveryError(f"webhook answered {response.status_code}")
