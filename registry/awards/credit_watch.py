"""A credit listing recorded while a round runs is flagged on the enterprise's open entries at once.

Whatever records the listing (a form, the API, an Excel import), the session collects the enterprises whose credit
records changed; after the commit one ``awards.flag_credit_listings`` job per enterprise goes to the worker. Sending
never fails a request: with the broker down the hourly beat sweep (``registry.schedule``) flags them instead.
"""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event

log = logging.getLogger(__name__)
_KEY = "award_credit_watch"
_installed: list[bool] = []


def install(session_class) -> None:
    """Listen on the app's session class (once per process)."""
    if _installed:
        return
    _installed.append(True)

    @event.listens_for(session_class, "after_flush")
    def _collect(session, _context):
        from registry.models import CreditRecord

        changed = [o for o in list(session.new) + list(session.dirty) if isinstance(o, CreditRecord)]
        if changed:
            session.info.setdefault(_KEY, set()).update(o.enterprise_id for o in changed if o.enterprise_id)

    @event.listens_for(session_class, "after_commit")
    def _send(session):
        changed = sorted(session.info.pop(_KEY, ()))
        if changed and current_app.config.get("AWARD_CREDIT_WATCH", True):
            for enterprise_id in changed:
                send(enterprise_id)

    @event.listens_for(session_class, "after_rollback")
    def _forget(session):
        session.info.pop(_KEY, None)


def send(enterprise_id: int) -> None:
    try:
        current_app.extensions["celery"].send_task(
            "awards.flag_credit_listings", kwargs={"enterprise_id": enterprise_id}, retry=False)
    except Exception as exc:  # noqa: BLE001  (broker down: the hourly sweep flags it)
        log.warning("credit listing check for enterprise %s left to the hourly sweep: %s", enterprise_id, exc)
