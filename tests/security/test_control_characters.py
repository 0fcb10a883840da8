"""Control characters (issue 9, item 5): cleaned once at the request edge, flattened in headers, and a delivery that
raises anything is a failed attempt with its error recorded, never a row wedged in ``sending``.

Through the real pages, the real API and a real Celery worker that mails to a local SMTP server.
"""
from __future__ import annotations

import io
from email.header import decode_header, make_header
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.models import Setting
from registry.text import clean, one_line
from tests import background
from tests.background import send
from tests.worker import WorkerProcess
from tests.workflows.receivers import SmtpSink
from workflows import dispatch
from workflows.models import Application, Attachment, NotificationPreference, Outbox, Transition
from workflows.notify import notify
from tests.workflows.conftest import cast, draft  # noqa: F401  (fixtures)

_LOGS: list[WorkerProcess] = []
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9b\u2028\u2029"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def smtp():
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def mail_worker(app, service_urls, smtp):
    urls = {**service_urls, "queue": service_urls["queue"] + "-ctl"}
    worker = WorkerProcess(urls, extra_env={"SMTP_PORT": str(smtp.port)})
    worker.log_path = Path(service_urls["tmp"]) / "worker-ctl.log"
    worker.start()
    _LOGS.append(worker)
    yield worker
    worker.stop()


@pytest.fixture
def queue(app, mail_worker, monkeypatch):
    monkeypatch.setitem(app.config, "CELERY_QUEUE", mail_worker.service_urls["queue"])
    return mail_worker.service_urls["queue"]


def wait_for(condition, what: str, timeout: float = 45.0):
    background.wait_for(condition, timeout, what, workers=_LOGS)


@pytest.mark.parametrize("raw, multi, single", [
    ("a\r\nb", "a\nb", "a b"), ("a\rb", "a\nb", "a b"), ("a\tb", "a\tb", "a b"), (f"x{CONTROLS}y", "xy", "xy"),
    ("\ud800z", "z", "z"), ("甲\n\n乙", "甲\n\n乙", "甲 乙")])
def test_the_rule(raw, multi, single):
    assert clean(raw, multiline=True) == multi and clean(raw) == single
    assert "\n" not in one_line(raw) and "\x00" not in one_line(raw)


def test_a_title_typed_with_controls_is_stored_clean_and_mailed_on_one_line(client, auth, cast, queue, smtp):
    db.session.add(NotificationPreference(user_id=cast.town.id, email_enabled=True, email="town@example.cn"))
    db.session.commit()
    auth.login(cast.applicant)
    page = client.post("/applications/new", data={
        "csrf_token": auth.csrf("/applications/new"), "product": "齿轮\r\n=HYPERLINK()\x00\x1b[31m",
        "standard_proposal": "标准\x00名称", "self_assessment": "第一行\r\n第二行\x07"}, follow_redirects=False)
    assert page.status_code == 302, page.get_data(as_text=True)[:500]
    application = db.session.scalar(select(Application).order_by(Application.id.desc()))
    assert application.title == "齿轮 =HYPERLINK()[31m"
    assert application.data["self_assessment"] == "第一行\n第二行"
    assert application.data["standard_proposal"] == "标准名称"
    acted = client.post(f"/applications/{application.id}/act", data={
        "csrf_token": auth.csrf(f"/applications/{application.id}"), "action": "submit",
        "version": application.version, "reason": "理由\r\n第二行\x00"})
    assert acted.status_code == 302
    transition = db.session.scalar(select(Transition).where(Transition.application_id == application.id)
                                   .order_by(Transition.id.desc()))
    assert transition.reason == "理由\n第二行"
    key = f"t{transition.id}:u{cast.town.id}:email"
    wait_for(lambda: key in smtp.effect_keys(), "the mail to the town officer")
    message = next(m for m in smtp.messages if m["X-Registry-Effect"] == key)
    subject = str(make_header(decode_header(message["Subject"])))
    assert "\n" not in subject and "齿轮 =HYPERLINK()[31m" in subject
    assert "理由：理由\r\n第二行\r\n" in message.get_payload(decode=True).decode()  # SMTP line ends


def test_a_stored_title_with_a_line_break_is_mailed_and_a_delivery_that_raises_is_dead_lettered(
        app, make_user, queue, smtp):
    """Rows stored before the edge cleaned input: a title with a line break (the Subject is flattened) and an
    address with one (the To header raises): the second fails each attempt with its error recorded until dead,
    and the other rows keep flowing."""
    db.session.add(Setting(key="workflows.outbox_max_attempts", value=3))
    good, bad, later_user = make_user("town"), make_user("town"), make_user("town")
    db.session.add_all([
        NotificationPreference(user_id=good.id, email_enabled=True, email="good@example.cn"),
        NotificationPreference(user_id=bad.id, email_enabled=True, email="bad\r\nBcc: x@evil.example"),
        NotificationPreference(user_id=later_user.id, email_enabled=True, email="later@example.cn")])
    db.session.commit()
    now = datetime.now(timezone.utc)
    prefix = f"ctl{now.timestamp()}"
    jobs = notify([good, bad], key=prefix, kind="transition", title="申请：齿轮\r\nBcc: x@evil.example", body="正文",
                  now=now, link="/applications")
    db.session.commit()
    dispatch.publish(jobs)
    good_key, bad_key = f"{prefix}:u{good.id}:email", f"{prefix}:u{bad.id}:email"
    wait_for(lambda: good_key in smtp.effect_keys(), "the good row delivered")
    message = next(m for m in smtp.messages if m["X-Registry-Effect"] == good_key)
    assert str(make_header(decode_header(message["Subject"]))) == "申请：齿轮 Bcc: x@evil.example"
    assert message["Bcc"] is None

    def bad_row():
        return db.session.scalar(select(Outbox).where(Outbox.effect_key == bad_key))

    clock = now
    for attempt in range(1, 4):
        wait_for(lambda: bad_row().attempts == attempt and bad_row().status in ("pending", "dead"),
                 f"attempt {attempt} recorded as failed")
        assert bad_row().last_error and "Error" in bad_row().last_error, bad_row().last_error
        if bad_row().status == "dead":
            break
        clock += dispatch.backoff(attempt) + timedelta(seconds=1)
        send(app, "workflows.relay_outbox", queue, now=clock.isoformat())
    row = bad_row()
    assert (row.status, row.attempts) == ("dead", 3)
    assert not any(m["X-Registry-Effect"] == bad_key for m in smtp.messages)
    # Others keep flowing after it.
    more = notify([later_user], key=prefix + "b", kind="transition", title="后续", body="正文", now=clock,
                  link="/applications")
    db.session.commit()
    dispatch.publish(more)
    wait_for(lambda: f"{prefix}b:u{later_user.id}:email" in smtp.effect_keys(), "a later row delivered")


def test_a_file_name_with_nul_and_controls_downloads(client, auth, cast, draft):
    """(A line break cannot travel inside a multipart file name; a NUL, a tab, ESC and U+2028 can.)"""
    application = draft()
    auth.login(cast.applicant)
    response = client.post(f"/applications/{application.id}/attachments", data={
        "csrf_token": auth.csrf(f"/applications/{application.id}"), "slot": "evidence",
        "file": (io.BytesIO(PDF), "报告\x00\t第二行\x1b\u2028.pdf")}, content_type="multipart/form-data")
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    row = db.session.scalar(select(Attachment).where(Attachment.application_id == application.id))
    assert row is not None and row.original_name == "报告 第二行 .pdf"  # tab and U+2028 as spaces
    got = client.get(f"/attachments/{row.id}")
    assert got.status_code == 200 and got.data == PDF
    assert "\n" not in got.headers["Content-Disposition"]


def test_the_api_cleans_json_strings(client, api, cast):
    body = {"workflow": "pinzibiao", "fields": {"product": "齿轮\u2028泵\x00", "self_assessment": "一\r\n二\x7f"}}
    response = client.post("/api/v1/applications", json=body, headers=api(cast.applicant))
    assert response.status_code in (200, 201), response.get_data(as_text=True)[:500]
    application = db.session.get(Application, response.get_json()["id"])
    assert application.title == "齿轮泵" and application.data["self_assessment"] == "一\n二"
