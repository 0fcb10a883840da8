"""Reading an enterprise's change history (变更记录) for its page."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import aliased

from registry import policy
from registry.extensions import db
from registry.models import ChangeLog, Enterprise, User
from registry.services.errors import NotFound


def enterprise_history(user: User, enterprise_id: int, limit: int = 200) -> list[tuple[ChangeLog, str | None]]:
    """The newest changes to the enterprise and its records, with the actor's display name. Raises NotFound."""
    # The identity map answers when the caller already read the enterprise (its page): no second statement.
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound("未找到该企业。")
    policy.check(user, "enterprise.view", enterprise)
    actor = aliased(User)
    rows = db.session.execute(
        select(ChangeLog, actor.display_name)
        .outerjoin(actor, ChangeLog.actor_id == actor.id)
        .where(ChangeLog.enterprise_id == enterprise_id)
        .order_by(ChangeLog.changed_at.desc(), ChangeLog.id.desc())
        .limit(limit))
    return [(log, name) for log, name in rows]
