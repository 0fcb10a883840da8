"""An expert's 待办 (issue 12 item 9): a seat waiting for the conflict declaration, then for scores, is an item with
the review stage's due date in the inbox and on the home page, and leaves both once done."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from registry import clock
from registry.awards import panels, rounds, screening
from registry.awards.flow import entry_of
from registry.awards.gbt19580 import MAX_POINTS
from registry.awards.models import Expert, PanelMember
from registry.demo.awards import _nominate
from registry.extensions import db
from registry.models import User
from tests.conftest import Auth
from tests.factories import EnterpriseFactory, UserFactory
from workflows import engine
from workflows.services.inbox import Filters, inbox


def _application_at_document_review(bureau, make_experts):
    today = clock.today()
    review_by = today + dt.timedelta(days=45)
    found = rounds.open_round(bureau, name="第五届临海市政府质量奖", level="linhai", year=today.year,
                              call_opens_on=today - dt.timedelta(days=3), call_closes_on=today + dt.timedelta(days=30),
                              quotas={"quality_award": 2}, stage_deadlines={"document_review": review_by})
    firm = EnterpriseFactory(name="浙江临海精工机械有限公司")
    owner = UserFactory(role="enterprise", enterprise=firm)
    town = UserFactory(role="town", jurisdiction=firm.jurisdiction)
    application = _nominate(owner, found.id, 0.8, clock.now())
    engine.apply(application.id, "recommend", town)
    entry = entry_of(application)
    screening.run_check(entry.id, clock.now(), bureau)
    screening.decide(entry.id, bureau, "eligible", "测试：经核实符合", clock.now())
    engine.apply(application.id, "pass_eligibility", bureau)
    make_experts(6)
    panels.draw_panels(bureau, [entry.id], clock.now(), size=5, n_substitutes=1, seed="tasks")
    seat = db.session.scalar(select(PanelMember).where(PanelMember.entry_id == entry.id,
                                                       PanelMember.active.is_(True)).order_by(PanelMember.position))
    user = db.session.scalar(select(User).join(Expert, Expert.user_id == User.id).where(Expert.id == seat.expert_id))
    return entry, user, review_by


def _page(app, user, path: str) -> str:
    client = app.test_client()
    Auth(client).login(user)
    return client.get(path).get_data(as_text=True)


def test_declaration_then_scoring_are_dated_items_in_the_inbox_and_on_the_home_page(app, bureau, make_experts):
    entry, expert, review_by = _application_at_document_review(bureau, make_experts)
    items, total = inbox(expert)
    assert total == 1 and items[0]["kind"] == "declare"
    assert items[0]["url"] == f"/awards/expert/entries/{entry.id}/declare"
    assert clock.local_date(items[0]["due_at"]) == review_by
    for path in ("/inbox", "/"):
        html = _page(app, expert, path)
        assert f'href="/awards/expert/entries/{entry.id}/declare"' in html, path
        assert "声明利益冲突（回避声明）" in html and review_by.isoformat() in html, path
    late = dt.datetime.combine(review_by + dt.timedelta(days=1), dt.time(12), dt.timezone.utc)
    assert inbox(expert, Filters(overdue_only=True), now=late)[1] == 1
    assert inbox(expert, Filters(overdue_only=True))[1] == 0

    panels.declare(entry.id, expert, conflict=False, reason=None, now=clock.now())
    items, total = inbox(expert)
    assert total == 1 and items[0]["kind"] == "score" and len(items[0]["owed"]) == len(MAX_POINTS)
    assert items[0]["url"] == f"/awards/expert/entries/{entry.id}"
    html = _page(app, expert, "/")
    assert f'href="/awards/expert/entries/{entry.id}"' in html and f"（{len(MAX_POINTS)} 项）" in html

    from registry.awards import scoring

    scoring.submit(entry.id, expert, "document", {k: v * 0.8 for k, v in MAX_POINTS.items()}, clock.now())
    assert inbox(expert) == ([], 0)
    assert "待办事项" not in _page(app, expert, "/")


def test_the_expert_day_in_the_browser(app, bureau, make_experts, page, phone_page, shot):
    """Home, inbox and messages of an expert with a pending declaration, desktop and 390 px phone: the 待办 item
    leads to the declaration, the seat message too."""
    from tests.browser.fixtures import sign_in

    entry, expert, review_by = _application_at_document_review(bureau, make_experts)
    db.session.commit()
    for pg, size in ((page, "desktop"), (phone_page, "phone")):
        sign_in(pg, expert.email)
        pg.goto("/")
        todo = pg.inner_text(".home-todo")
        assert "声明利益冲突（回避声明）" in todo and review_by.isoformat() in todo
        assert pg.evaluate("document.documentElement.scrollWidth") <= pg.viewport_size["width"]
        shot(pg, f"ux-expert-home-{size}")
        pg.goto("/inbox")
        assert review_by.isoformat() in pg.inner_text("main")
        shot(pg, f"ux-expert-inbox-{size}")
        pg.goto("/notifications")
        link = pg.locator("a.wf-note-link").first
        assert "评审任务" in link.inner_text()
        shot(pg, f"ux-expert-messages-{size}")
        link.click()
        pg.wait_for_load_state("networkidle")
        assert pg.url.endswith(f"/awards/expert/entries/{entry.id}/declare")
