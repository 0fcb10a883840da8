"""In-app messages: the unread count beside 消息 in the menu, opening a message marks it read and goes to the
application on its own workflow's page, marking one or all read, and nobody reaches another person's message."""
from __future__ import annotations

import re

from sqlalchemy import select

from registry.extensions import db
from tests.conftest import csrf_token_from
from workflows import engine
from workflows.models import Notification


def badge(html: str) -> str | None:
    found = re.search(r'消息 <span class="nav-badge"[^>]*>([^<]+)</span>', html)
    return found.group(1) if found else None


def test_unread_badge_open_and_mark_read(client, auth, cast, draft):
    application = draft()
    engine.apply(application.id, "submit", cast.applicant)  # the town is told
    auth.login(cast.town)
    page = client.get("/notifications").get_data(as_text=True)
    assert badge(page) == "1" and "1 条未读" in page
    note = db.session.scalar(select(Notification).where(Notification.user_id == cast.town.id))
    answer = client.post(f"/notifications/{note.id}/read", data={"csrf_token": csrf_token_from(page), "open": "1"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/applications/{application.id}")
    db.session.expire_all()
    assert db.session.get(Notification, note.id).read_at is not None
    page = client.get("/notifications").get_data(as_text=True)
    assert badge(page) is None and "全部标为已读" not in page


def test_mark_all_read_touches_only_ones_own(client, auth, cast, draft):
    for _ in range(3):
        engine.apply(draft().id, "submit", cast.applicant)
    bureau_note = Notification(effect_key="t:bureau", user_id=cast.bureau.id, kind="transition", title="市局消息")
    db.session.add(bureau_note)
    db.session.commit()
    auth.login(cast.town)
    page = client.get("/notifications").get_data(as_text=True)
    assert badge(page) == "3"
    assert client.post("/notifications/read-all", data={"csrf_token": csrf_token_from(page)}).status_code == 302
    assert "已将 3 条消息标为已读" in client.get("/notifications").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Notification, bureau_note.id).read_at is None
    # Someone else's message: 404, and it stays unread.
    token = csrf_token_from(client.get("/notifications").get_data(as_text=True))
    assert client.post(f"/notifications/{bureau_note.id}/read", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, bureau_note.id).read_at is None


def test_award_applications_open_on_the_award_page(client, auth, cast, draft):
    """The generic application page sends an award nomination to the award's own page (scores, eligibility)."""
    from workflows.models import Application

    application = Application(workflow="quality_award", definition_version=1, enterprise_id=cast.enterprise.id,
                              title="质量奖申报", stage="recommend", status="in_progress", data={})
    db.session.add(application)
    db.session.commit()
    auth.login(cast.town)
    answer = client.get(f"/applications/{application.id}")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/awards/applications/{application.id}")
