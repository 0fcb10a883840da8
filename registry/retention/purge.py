"""The retention job's use case: remove, per kind, what is older than its setting says (``run``).

Idempotent (a second run at the same time removes nothing more) and safe by construction: each kind is one
query whose conditions name exactly what may go, so
- an open application's attachments (any version) and a closed one's newest version of each slot (the 附件清单 of
  its printed form) stay;
- outbox rows not delivered (pending, sending, dead, discarded) stay;
- unread notifications stay, and so do the certificate reminders whose rows are the sweep's once-only memory;
- audit rows younger than the setting, never under 180 days, stay; older ones leave the chain through
  ``workflows.chain.cut`` with a sealed anchor, so ``verify-chain`` still passes; the workflow history is never
  touched.
Database rows go in one transaction per kind; files are removed after that commit (a crash leaves a stray file,
never a row pointing at a missing one).
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, select

from registry import settings
from registry.audit.chain import AUDIT
from registry.audit.models import SecurityEvent
from registry.audit.trail import record
from registry.database import begin_write
from registry.extensions import db
from registry.models import UserSession
from registry.retention.settings import AUDIT_FLOOR_DAYS
from workflows import chain
from workflows.models import Application, Attachment, Notification, Outbox
from workflows.spec import DONE, REJECTED, WITHDRAWN

log = logging.getLogger(__name__)

# Statuses after which an application's superseded files are no longer looked at ("suspended" may be restored).
CLOSED = (DONE, REJECTED, WITHDRAWN, "revoked")
# Notifications whose rows the certificate sweep reads to remind once only (workflows.services.sweeps).
REMEMBERED_KINDS = ("surveillance", "expiry")


def _days(key: str) -> int:
    return int(settings.get(key))


def audit_rows(now: datetime) -> int:
    """Security events older than the setting (never under 180 days): cut from the chain with a sealed anchor."""
    cutoff = now - timedelta(days=max(AUDIT_FLOOR_DAYS, _days("retention.audit_days")))
    begin_write()
    first_kept = db.session.scalar(select(func.min(SecurityEvent.seq)).where(SecurityEvent.at >= cutoff))
    last_old = db.session.scalar(select(func.max(SecurityEvent.seq)).where(
        SecurityEvent.at < cutoff, *([SecurityEvent.seq < first_kept] if first_kept is not None else [])))
    removed = chain.cut(AUDIT, last_old, now) if last_old is not None else 0
    db.session.commit()
    return removed


def expired_sessions(now: datetime) -> int:
    cutoff = now - current_app.config["IDLE_TIMEOUT"] - timedelta(days=_days("retention.expired_sessions_days"))
    begin_write()
    removed = db.session.execute(delete(UserSession).where(UserSession.last_seen_at < cutoff)).rowcount
    db.session.commit()
    return removed or 0


def delivered_outbox(now: datetime) -> int:
    cutoff = now - timedelta(days=_days("retention.delivered_outbox_days"))
    begin_write()
    removed = db.session.execute(delete(Outbox).where(Outbox.status == "done", Outbox.done_at < cutoff)).rowcount
    db.session.commit()
    return removed or 0


def read_notifications(now: datetime) -> int:
    cutoff = now - timedelta(days=_days("retention.read_notifications_days"))
    begin_write()
    removed = db.session.execute(delete(Notification).where(
        Notification.read_at.is_not(None), Notification.read_at < cutoff,
        Notification.kind.not_in(REMEMBERED_KINDS))).rowcount
    db.session.commit()
    return removed or 0


def _remove_files(folder: str, names: list[str]) -> None:
    for name in names:
        try:
            os.remove(os.path.join(folder, name))
        except FileNotFoundError:
            pass
        except OSError as exc:  # leave it for an operator; the row is already gone
            log.warning("retention: could not remove %s: %s", name, exc)


def export_files(now: datetime) -> int:
    """Finished background exports (done or failed) older than the setting: the job row and its file."""
    from registry.targets.jobs import export_dir
    from registry.targets.models import TargetExport

    cutoff = now - timedelta(days=_days("retention.export_files_days"))
    begin_write()
    old = db.session.execute(select(TargetExport.id, TargetExport.file_name).where(
        TargetExport.status.in_(("done", "failed")), TargetExport.finished_at < cutoff)).all()
    if old:
        db.session.execute(delete(TargetExport).where(TargetExport.id.in_([row.id for row in old])))
    db.session.commit()
    _remove_files(export_dir(), [row.file_name for row in old if row.file_name])
    return len(old)


def superseded_attachments(now: datetime) -> int:
    """Older versions of each slot of applications closed (by their last change) longer ago than the setting."""
    cutoff = now - timedelta(days=_days("retention.attachment_versions_days"))
    newest = (select(Attachment.application_id, Attachment.slot, func.max(Attachment.version).label("version"))
              .group_by(Attachment.application_id, Attachment.slot).subquery())
    begin_write()
    old = db.session.execute(
        select(Attachment.id, Attachment.stored_name)
        .join(Application, Application.id == Attachment.application_id)
        .join(newest, and_(newest.c.application_id == Attachment.application_id, newest.c.slot == Attachment.slot))
        .where(Application.status.in_(CLOSED), Application.updated_at < cutoff,
               Attachment.version < newest.c.version)).all()
    if old:
        db.session.execute(delete(Attachment).where(Attachment.id.in_([row.id for row in old])))
    db.session.commit()
    _remove_files(current_app.config["UPLOAD_DIR"], [row.stored_name for row in old])
    return len(old)


KINDS = {
    "audit_rows": audit_rows,
    "expired_sessions": expired_sessions,
    "delivered_outbox": delivered_outbox,
    "read_notifications": read_notifications,
    "export_files": export_files,
    "superseded_attachments": superseded_attachments,
}


def run(now: datetime) -> dict[str, int]:
    """Apply every kind's retention at ``now``; returns the count removed per kind. What was removed is itself a
    security event (``retention_purge``), recorded after the audit cut so it is the new chain's next row."""
    counts = {name: purge(now) for name, purge in KINDS.items()}
    if any(counts.values()):
        begin_write()
        record("retention_purge", None, "retention", counts, now=now)
        db.session.commit()
    log.info("retention at %s: %s", now.isoformat(), counts)
    return counts
