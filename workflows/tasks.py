"""Workflow Celery tasks: thin adapters with stable names, ids (and an injectable ``now``) in, idempotent."""
from __future__ import annotations

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from registry.clock import parse_now


@shared_task(name="workflows.relay_outbox")
def relay_outbox(now: str | None = None) -> int:
    """Re-publish outbox rows still pending (Redis was down, a worker died)."""
    from workflows import dispatch

    return dispatch.relay(parse_now(now))


@shared_task(name="workflows.send_notification", holds_writes=False)  # claim and finish write via begin_write(); no lock over the send
def send_notification(outbox_id: int, now: str | None = None) -> str:
    """Deliver one outbox row (one notification, one channel) at most once per effect key. A delivery past its
    soft time limit (a gateway that never answers) is a failed attempt; past the hard limit the process is killed
    and the row's lease brings it back (``workflows.dispatch.relay``)."""
    from workflows.services import outbox

    moment = parse_now(now)
    try:
        return outbox.run(outbox_id, moment)
    except SoftTimeLimitExceeded:
        return outbox.timed_out(outbox_id, moment)


@shared_task(name="workflows.sweep_deadlines")
def sweep_deadlines(now: str | None = None) -> dict:
    """Reminders, escalations and automatic stage completions due at ``now``."""
    from workflows.services import sweeps

    return sweeps.sweep_deadlines(parse_now(now))


@shared_task(name="workflows.sweep_certificates")
def sweep_certificates(now: str | None = None) -> int:
    """Yearly surveillance and expiry reminders for certificates won through a workflow."""
    from workflows.services import sweeps

    return sweeps.sweep_certificates(parse_now(now))


@shared_task(name="workflows.advance_for_standard")
def advance_for_standard(standard_id: int, now: str | None = None) -> int:
    """A standard was saved: move applications waiting on its publication."""
    from workflows.services import sweeps

    return sweeps.advance_for_standard(standard_id, parse_now(now))


@shared_task(name="workflows.seal_history")
def seal_history(now: str | None = None) -> int:
    """Seal the head of every application's history chain, so that cutting a history short after it shows."""
    from workflows.services import history_seal

    return history_seal.seal(parse_now(now))
