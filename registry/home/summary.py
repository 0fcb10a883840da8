"""What the home page tells each person first: work waiting, overdue items, unread messages."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from registry.extensions import db
from registry.models import User


UPCOMING = 5


@dataclass(frozen=True)
class HomeSummary:
    waiting: int | None  # None: this role has no inbox
    overdue: int | None
    unread: int
    applications: int | None  # enterprise accounts: their own applications
    upcoming: tuple = ()  # the first few 待办 (inbox items), soonest due first


def home_summary(user: User) -> HomeSummary:
    """Counts for the signed-in user's home page (a few COUNT queries, no lists)."""
    from workflows.models import Application, Notification
    from workflows.services.inbox import Filters, inbox

    unread = db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0
    if user.role == "enterprise":
        mine = db.session.scalar(select(func.count(Application.id)).where(
            Application.enterprise_id == user.enterprise_id)) or 0
        return HomeSummary(None, None, unread, mine)
    upcoming, waiting = inbox(user, per_page=UPCOMING)
    _items, overdue = inbox(user, Filters(overdue_only=True), per_page=1)
    return HomeSummary(waiting, overdue, unread, None, tuple(upcoming))
