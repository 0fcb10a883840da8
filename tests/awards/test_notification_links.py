"""Every message links to the item it is about (issue 12 item 9): one message of every kind the system sends
(workflows.notify.KINDS), each opened by its recipient from the message list and from the e-mail text, lands on a
page that recipient may open (an expert's seat message: the declaration, before the application is visible)."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from registry import clock
from registry.awards import panels
from registry.extensions import db
from registry.models import User
from tests.conftest import Auth
from tests.factories import CertificationFactory, EnterpriseFactory, UserFactory
from tests.workflows.conftest import place
from workflows import delivery, notify
from workflows.models import Application, Notification, StageRun
from workflows.services import applications, sweeps


def _pinzibiao(applicant):
    return applications.start(applicant, "pinzibiao", None, {
        "product": "高精度汽车齿轮", "standard_proposal": "汽车变速器齿轮", "self_assessment": "自评 85 分"})


def _one_of_each_kind(app, make_entry, make_experts, bureau) -> None:
    from workflows import engine

    firm = EnterpriseFactory()
    applicant = UserFactory(role="enterprise", enterprise=firm)
    UserFactory(role="town", jurisdiction=firm.jurisdiction)
    # transition: submitted, so the town is told; then the town's reminder and the escalation to the bureau.
    submitted = _pinzibiao(applicant)
    engine.apply(submitted.id, "submit", applicant)
    run = db.session.scalar(select(StageRun).where(StageRun.application_id == submitted.id,
                                                   StageRun.ended_at.is_(None)))
    remind_at, due_at = clock.parse_now(run.remind_at), clock.parse_now(run.due_at)
    assert sweeps.send_reminders(remind_at + dt.timedelta(minutes=1)) == 1
    assert sweeps.escalate_overdue(due_at + dt.timedelta(minutes=1)) == 1
    # surveillance and expiry: a certified application's certificate.
    certified = _pinzibiao(applicant)
    place(certified.id, "certified", "done")
    cert = CertificationFactory(enterprise=firm, cert_type="pinzibiao", number="PZB-LINK-1",
                                issued_on=dt.date(2026, 3, 1), expires_on=dt.date(2029, 3, 1))
    db.session.get(Application, certified.id).certification_id = cert.id
    db.session.commit()
    assert sweeps.sweep_certificates(dt.datetime(2027, 2, 10, 2, tzinfo=dt.timezone.utc)) == 1
    assert sweeps.sweep_certificates(dt.datetime(2029, 1, 5, 2, tzinfo=dt.timezone.utc)) == 1
    # assignment: experts seated on an award panel.
    make_experts(8)
    entry = make_entry()
    panels.draw_panels(bureau, [entry.id], clock.now(), size=5, n_substitutes=1, seed="links")


def test_every_kind_of_message_links_to_a_page_its_recipient_may_open(app, make_entry, make_experts, bureau):
    _one_of_each_kind(app, make_entry, make_experts, bureau)
    notes = list(db.session.scalars(select(Notification).order_by(Notification.id)))
    assert {n.kind for n in notes} == notify.KINDS  # a new kind must be added here too
    opened = {}
    for note in notes:
        user = db.session.get(User, note.user_id)
        assert note.link and note.link.startswith("/"), (note.kind, note.link)
        client = app.test_client()
        assert Auth(client).login(user).status_code == 302
        # The message list carries the link, and 查看 (which marks it read) goes there.
        listing = client.get("/notifications").get_data(as_text=True)
        assert f'href="{note.link}"' in listing, (note.kind, user.role)
        token = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
        via_list = client.post(f"/notifications/{note.id}/read", data={"open": "1", "csrf_token": token})
        assert via_list.status_code == 302 and via_list.headers["Location"].endswith(note.link)
        # The page opens for this recipient (following the expert's redirect to the declaration).
        path, page = note.link, client.get(note.link)
        for _hop in range(3):  # an expert's seat page leads to the declaration until it is made
            if page.status_code != 302:
                break
            path = page.headers["Location"].removeprefix("http://localhost")
            page = client.get(path)
        assert page.status_code == 200 and not path.startswith("/login"), (note.kind, user.role, note.link)
        # The e-mail carries the same page as an address to open.
        assert f"{app.config['PUBLIC_BASE_URL']}{note.link}" in delivery.email_text(note)
        opened.setdefault(note.kind, set()).add((user.role, path))
    assert opened["assignment"] == {("expert", p) for _r, p in opened["assignment"]}
    assert all(path.endswith("/declare") for _r, path in opened["assignment"])


def test_a_message_refuses_an_unknown_kind_or_an_outside_link(app, bureau):
    now = clock.now()
    for kind, link in (("news", "/"), ("transition", "https://evil.example/"), ("transition", "//evil.example/")):
        try:
            notify.notify([bureau], key=f"bad:{kind}:{link}", kind=kind, title="t", body="b", now=now, link=link)
        except ValueError:
            continue
        raise AssertionError(f"accepted {kind} {link}")
    db.session.rollback()
