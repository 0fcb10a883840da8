"""Issue 12 items 2 and 8: a returned application leads with why (reason, who, due date, next step) before any
button, the withdraw reason is part of withdrawing; the inbox bulk-returns with one reason beside bulk recommend,
with select-all."""
from __future__ import annotations

import re
from datetime import timezone

from sqlalchemy import select

from registry.extensions import db
from tests.workflows.conftest import place
from workflows import calendar, engine
from workflows.models import Application, Transition

REASON = "请补充近三年产品检验报告和质量管理体系证书扫描件。"


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_returned_application_leads_with_why_before_any_button(client, auth, cast, draft):
    application = draft()
    place(application.id, "town_recommendation", "in_progress")
    engine.apply(application.id, "return", cast.town, reason=REASON)
    returned_at = db.session.scalar(select(Transition.at).where(Transition.action == "return")).replace(
        tzinfo=timezone.utc)
    due_day = calendar.deadline(returned_at, 15)[0].astimezone(calendar.LOCAL_TZ).date().isoformat()

    auth.login(cast.applicant)
    main = _main(client.get(f"/applications/{application.id}").get_data(as_text=True))
    banner = main[main.index('class="returned-banner"'):main.index("</section>")]
    assert main.index('class="returned-banner"') < main.index("<button")  # before any button of the page
    assert REASON in banner and cast.town.display_name in banner and "镇街审核员" in banner
    assert due_day in banner and "补正期限" in banner
    assert "补正后重新提交" in banner and 'href="#edit"' in banner  # what to do next, and where

    # the withdraw reason box belongs to withdrawing: one fieldset named by the action, its label says so
    withdraw = re.search(r'<form[^>]*>(?:(?!</form>).)*value="withdraw"(?:(?!</form>).)*</form>', main, re.S).group(0)
    assert "<legend>撤回申请</legend>" in withdraw and "撤回申请的理由" in withdraw and 'name="reason"' in withdraw
    resubmit = re.search(r'<form[^>]*>(?:(?!</form>).)*value="resubmit"(?:(?!</form>).)*</form>', main, re.S).group(0)
    assert 'name="reason"' not in resubmit

    auth.login(cast.town)
    reviewer = _main(client.get(f"/applications/{application.id}").get_data(as_text=True))
    assert REASON in reviewer and "等待企业补正" in reviewer and 'href="#edit"' not in reviewer


def test_no_banner_once_resubmitted(client, auth, cast, draft):
    application = draft()
    place(application.id, "town_recommendation", "in_progress")
    engine.apply(application.id, "return", cast.town, reason=REASON)
    engine.apply(application.id, "resubmit", cast.applicant)
    auth.login(cast.applicant)
    assert "returned-banner" not in client.get(f"/applications/{application.id}").get_data(as_text=True)


def _town_inbox_with(cast, draft, n=3):
    apps = []
    for i in range(n):
        application = draft(product=f"批量产品{i}")
        place(application.id, "town_recommendation", "in_progress")
        apps.append(db.session.get(Application, application.id))
    return apps


def test_inbox_offers_select_all_bulk_recommend_and_bulk_return(client, auth, cast, draft):
    _town_inbox_with(cast, draft, 1)
    auth.login(cast.town)
    html = client.get("/inbox").get_data(as_text=True)
    assert 'data-select-all="pick"' in html and "全选本页" in html
    assert 'name="action" value="recommend"' in html and "批量推荐" in html
    assert 'name="action" value="return"' in html and "批量退回" in html and 'name="reason"' in html


def test_bulk_return_sends_one_reason_to_each(client, auth, cast, draft):
    apps = _town_inbox_with(cast, draft, 3)
    auth.login(cast.town)
    picks = [f"{a.id}:{a.version}" for a in apps[:2]]
    response = client.post("/inbox/bulk", data={"csrf_token": auth.csrf("/inbox"), "action": "return",
                                                "reason": REASON, "pick": picks})
    assert response.status_code == 302
    db.session.expire_all()
    assert [db.session.get(Application, a.id).status for a in apps] == ["returned", "returned", "in_progress"]
    reasons = db.session.scalars(select(Transition.reason).where(Transition.action == "return")).all()
    assert reasons == [REASON, REASON]
    assert "已办理 2 件" in client.get("/inbox").get_data(as_text=True)


def test_bulk_return_without_a_reason_does_nothing_and_says_why(client, auth, cast, draft):
    apps = _town_inbox_with(cast, draft, 2)
    auth.login(cast.town)
    client.post("/inbox/bulk", data={"csrf_token": auth.csrf("/inbox"), "action": "return", "reason": "  ",
                                     "pick": [f"{a.id}:{a.version}" for a in apps]})
    db.session.expire_all()
    assert {db.session.get(Application, a.id).status for a in apps} == {"in_progress"}
    assert "批量退回请填写退回理由" in client.get("/inbox").get_data(as_text=True)


def test_bulk_refuses_actions_it_does_not_offer(client, auth, cast, draft):
    apps = _town_inbox_with(cast, draft, 1)
    auth.login(cast.town)
    response = client.post("/inbox/bulk", data={"csrf_token": auth.csrf("/inbox"), "action": "reject",
                                                "reason": "x", "pick": [f"{apps[0].id}:{apps[0].version}"]})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Application, apps[0].id).status == "in_progress"
