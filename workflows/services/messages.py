"""A user's in-app messages (站内消息): the newest first, how many are unread, marking them read.

Every message is the user's own: another user's id answers NotFound, like any object outside one's scope.
"""
from __future__ import annotations

from sqlalchemy import func, select, update

from registry import clock
from registry.database import begin_write
from registry.extensions import db
from registry.models import User
from registry.services.errors import NotFound
from workflows.models import Notification


def recent(user: User, limit: int = 50, unread_only: bool = False) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.session.scalars(query.order_by(Notification.id.desc()).limit(limit)))


def link_of(user: User, note: Notification) -> str | None:
    """The path the message leads to: its own link (a path of this site), or for a message from before links
    were stored, the page of its application if the user may still see it; None when there is none."""
    if note.link and note.link.startswith("/") and not note.link.startswith("//"):
        return note.link
    if note.application_id:
        from workflows.links import application_path
        from workflows.services.applications import by_ids

        found = by_ids(user, {note.application_id}).get(note.application_id)
        return application_path(found) if found is not None else None
    return None


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's messages read (again: no change); commit. Raises NotFound."""
    begin_write()
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        db.session.rollback()
        raise NotFound("未找到该消息。")
    if note.read_at is None:
        note.read_at = clock.now()
    db.session.commit()
    return note


def mark_all_read(user: User) -> int:
    """Mark every unread message of the user read; commit. Returns how many."""
    begin_write()
    done = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=clock.now())).rowcount
    db.session.commit()
    return done
