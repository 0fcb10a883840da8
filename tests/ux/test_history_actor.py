"""Issue 12 item 11: every person's action shows as that person in history (a certificate recorded by bureau staff
showed "系统" on the enterprise page)."""
from __future__ import annotations

from sqlalchemy import select

from registry.extensions import db
from registry.models.history import ChangeLog
from tests.workflows.conftest import place
from workflows.models import Application


def test_certificate_recorded_by_bureau_is_the_bureau_officer_in_every_history(client, auth, cast, draft):
    application = draft()
    place(application.id, "cert_decision", "in_progress")
    auth.login(cast.bureau)
    version = db.session.get(Application, application.id).version
    response = client.post(f"/applications/{application.id}/act", data={
        "csrf_token": auth.csrf(f"/applications/{application.id}"), "action": "issue_certificate",
        "version": version, "f_cert_number": "PZB-2026-0099", "f_issuer": "浙江制造国际认证联盟",
        "f_issued_on": "2026-11-20"})
    assert response.status_code == 302
    rows = db.session.scalars(select(ChangeLog).where(ChangeLog.entity == "certifications")).all()
    assert rows and {r.actor_id for r in rows} == {cast.bureau.id}

    page = client.get(f"/enterprises/{cast.enterprise.id}").get_data(as_text=True)
    history = page[page.index("history"):]
    assert "PZB-2026-0099" in history and cast.bureau.display_name in history

    show = client.get(f"/applications/{application.id}").get_data(as_text=True)
    flow = show[show.index("流转记录"):]
    assert cast.bureau.display_name in flow


def test_award_history_names_the_person(client, auth, make_user):
    """The award application's 办理记录 names who acted (it showed only the action, and 系统 for none)."""
    import datetime as dt

    from registry import clock
    from registry.awards import flow, rounds
    from tests.factories import EnterpriseFactory, UserFactory

    bureau = make_user("bureau", display_name="市局王科长")
    today = clock.today()
    found = rounds.open_round(bureau, name="第六届临海市政府质量奖", level="linhai", year=today.year,
                              call_opens_on=today - dt.timedelta(days=3), call_closes_on=today + dt.timedelta(days=30),
                              quotas={"quality_award": 2, "quality_award_nomination": 1}, issuer="临海市人民政府")
    owner = UserFactory(role="enterprise", enterprise=EnterpriseFactory(), display_name="企业填报员陈晓燕")
    application = flow.start_application(owner, found.id)
    auth.login(bureau)
    page = client.get(f"/awards/applications/{application.id}").get_data(as_text=True)
    record = page[page.index("办理记录"):]
    assert "办理人" in record and "企业填报员陈晓燕" in record
