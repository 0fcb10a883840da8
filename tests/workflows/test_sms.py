"""The SMS channel end to end: a real Celery worker process on real Redis posts to a fake government SMS gateway on
127.0.0.1 (tests.workflows.receivers.SmsGateway). A transition reaches the town officer's phone exactly once, in
one SMS; a 4xx is dead-lettered at once; a 5xx or a timeout is retried with the same biz_id. The preference form
refuses a bad number with a field error, and offers no SMS where no gateway is configured."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.extensions import db
from registry.services.errors import ValidationFailed
from tests import background
from tests.background import send
from tests.conftest import csrf_token_from
from tests.worker import WorkerProcess
from tests.workflows.receivers import SmsGateway
from workflows import engine
from workflows.delivery import SMS_LIMIT, sms_text
from workflows.models import Notification, NotificationPreference, Outbox
from workflows.services import preferences

SIGN = "【临海市市场监管局】"
TOKEN = "gateway-test-token"
WORKER_SMS_TIMEOUT = 1.5  # seconds; the gateway holds a "slow" answer longer than this
_LOGS: list[WorkerProcess] = []


@pytest.fixture(scope="module")
def gateway():
    with SmsGateway() as sink:
        yield sink


@pytest.fixture(scope="module")
def sms_worker(app, service_urls, gateway):
    """A real worker on a queue of its own, configured (through its environment, read by config.py) with the
    fake gateway, a token and a short timeout."""
    urls = {**service_urls, "queue": service_urls["queue"] + "-sms"}
    worker = WorkerProcess(urls, extra_env={"SMS_GATEWAY_URL": gateway.url, "SMS_GATEWAY_TOKEN": TOKEN,
                                            "SMS_TIMEOUT": str(WORKER_SMS_TIMEOUT)})
    worker.log_path = Path(service_urls["tmp"]) / "worker-sms.log"
    worker.start()
    _LOGS.append(worker)
    yield worker
    worker.stop()


@pytest.fixture
def with_gateway(app, gateway, monkeypatch):
    """The web side configured with the gateway too (it decides which channels get outbox rows)."""
    gateway.reset()
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", gateway.url)
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", TOKEN)
    return gateway


@pytest.fixture
def queue(app, sms_worker, with_gateway, monkeypatch):
    monkeypatch.setitem(app.config, "CELERY_QUEUE", sms_worker.service_urls["queue"])
    return sms_worker.service_urls["queue"]


def wait_for(condition, timeout: float = 30.0, what: str = "condition"):
    background.wait_for(condition, timeout, what, workers=_LOGS)


def subscribe_sms(user, mobile: str = "138 1234 5678"):
    preferences.save(user, email_enabled=False, email=None, webhook_enabled=False, webhook_url=None,
                     sms_enabled=True, mobile=mobile)


def sms_row(key: str) -> Outbox | None:
    return db.session.scalar(select(Outbox).where(Outbox.effect_key == key))


def later(hours: float = 1) -> str:
    return (datetime.now(timezone.utc) + timedelta(hours=hours)).isoformat()


def ran(worker, task_ids: list[str]) -> None:
    """Wait for the worker's log to show each of these tasks finished (instead of sleeping and hoping)."""
    wait_for(lambda: all(background.finished(worker, t) >= 1 for t in task_ids), what="the extra jobs run")


def test_transition_reaches_the_town_officers_phone_exactly_once(app, cast, draft, queue, gateway, sms_worker):
    subscribe_sms(cast.town, "１３８－1234－5678")  # full-width digits and dashes, as typed on a phone
    subscribe_sms(cast.applicant, "13900001111")  # the actor: told nothing about their own action
    application = draft()
    outcome = engine.apply(application.id, "submit", cast.applicant)
    key = f"t{outcome.transition_id}:u{cast.town.id}:sms"
    wait_for(lambda: gateway.for_biz(key), what="the SMS at the gateway")
    # Give duplicates every chance: the relay with a clock an hour ahead, and the same job delivered again.
    tasks = [send(app, "workflows.relay_outbox", queue, now=later())]
    for _ in range(3):
        tasks.append(send(app, "workflows.send_notification", queue, outbox_id=sms_row(key).id))
    ran(sms_worker, tasks)
    arrived = gateway.for_biz(key)
    assert len(arrived) == 1
    body, headers = arrived[0]["body"], arrived[0]["headers"]
    note = db.session.scalar(select(Notification).where(Notification.effect_key == key.removesuffix(":sms")))
    assert body["mobile"] == "13812345678" and body["sign"] == SIGN and body["biz_id"] == key
    assert body["content"] == sms_text(note.title, note.body, SIGN)
    assert body["content"].startswith(note.title[:12]) and "提交" in body["content"]
    assert len(SIGN) + len(body["content"]) <= SMS_LIMIT
    assert "http" not in body["content"]
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert [r["body"]["mobile"] for r in gateway.received] == ["13812345678"]  # nothing to the applicant
    row = sms_row(key)
    assert (row.status, row.attempts) == ("done", 1)


def test_a_4xx_is_dead_lettered_at_once(app, cast, draft, queue, gateway, sms_worker):
    subscribe_sms(cast.town)
    gateway.answer(400)  # e.g. a number the platform refuses
    application = draft()
    outcome = engine.apply(application.id, "submit", cast.applicant)
    key = f"t{outcome.transition_id}:u{cast.town.id}:sms"
    wait_for(lambda: sms_row(key).status == "dead", what="the refused SMS dead-lettered")
    row = sms_row(key)
    assert row.attempts == 1 and "400" in row.last_error and "13812345678" not in row.last_error
    tasks = [send(app, "workflows.relay_outbox", queue, now=later()),  # the relay leaves dead rows alone
             send(app, "workflows.send_notification", queue, outbox_id=row.id)]
    ran(sms_worker, tasks)
    assert len(gateway.for_biz(key)) == 1
    assert (sms_row(key).status, sms_row(key).attempts) == ("dead", 1)


def test_a_5xx_and_a_timeout_are_retried_with_the_same_biz_id(app, cast, draft, queue, gateway):
    subscribe_sms(cast.town)
    gateway.answer(503)
    gateway.answer(200, delay=WORKER_SMS_TIMEOUT + 1.5)  # accepted, but too late for the worker: a timeout
    application = draft()
    outcome = engine.apply(application.id, "submit", cast.applicant)
    key = f"t{outcome.transition_id}:u{cast.town.id}:sms"
    wait_for(lambda: sms_row(key).attempts == 1 and sms_row(key).status == "pending", what="first attempt failed")
    assert "503" in sms_row(key).last_error and len(gateway.for_biz(key)) == 1
    send(app, "workflows.relay_outbox", queue, now=later(1))  # past the backoff: attempt 2 (times out)
    wait_for(lambda: sms_row(key).attempts == 2 and sms_row(key).status == "pending", what="second attempt timed out")
    assert "timed out" in sms_row(key).last_error.lower() or "timeout" in sms_row(key).last_error.lower()
    send(app, "workflows.relay_outbox", queue, now=later(2))  # attempt 3 goes through
    wait_for(lambda: sms_row(key).status == "done", what="third attempt delivered")
    seen = gateway.for_biz(key)
    assert [r["status"] for r in seen] == [503, 200, 200] and sms_row(key).attempts == 3
    assert {r["body"]["biz_id"] for r in seen} == {key}  # the gateway can drop the timed-out one's repeat
    assert len({r["body"]["content"] for r in seen}) == 1


def test_the_form_refuses_a_bad_number_with_a_field_error(client, auth, make_user, with_gateway):
    user = make_user("town")
    auth.login(user)
    page = client.get("/notifications").get_data(as_text=True)
    assert 'name="sms_enabled"' in page and 'name="mobile"' in page
    for mobile, error in (("12345", "11 位中国大陆手机号码"), ("23812345678", "11 位中国大陆手机号码"),
                          ("1381234567８9", "11 位中国大陆手机号码"), ("", "请填写手机号码"),
                          ("1" * 200, "32"), ("138\x001234\x00567", "11 位中国大陆手机号码")):  # NULs dropped at the edge
        answer = client.post("/notifications", data={"csrf_token": csrf_token_from(page), "sms_enabled": "y",
                                                     "mobile": mobile})
        assert answer.status_code == 200, mobile
        html = answer.get_data(as_text=True)
        assert 'aria-invalid="true"' in html and error in html, mobile
        assert db.session.get(NotificationPreference, user.id) is None
    for typed in ("+86 139-0000-1111", "１３９ ００００ １１１１", "0086 13900001111"):
        ok = client.post("/notifications", data={"csrf_token": csrf_token_from(page), "sms_enabled": "y",
                                                 "mobile": typed})
        assert ok.status_code == 302, typed
        pref = db.session.get(NotificationPreference, user.id)
        assert (pref.sms_enabled, pref.mobile) == (True, "13900001111")
    assert 'value="13900001111"' in client.get("/notifications").get_data(as_text=True)


def test_without_a_gateway_the_form_does_not_offer_sms(app, client, auth, cast, draft, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", None)
    auth.login(cast.town)
    page = client.get("/notifications").get_data(as_text=True)
    assert 'name="sms_enabled"' not in page and 'name="mobile"' not in page
    assert "短信通知暂未开通" in page
    answer = client.post("/notifications", data={"csrf_token": csrf_token_from(page), "sms_enabled": "y",
                                                 "mobile": "13812345678", "email_enabled": "y"})
    assert answer.status_code == 302
    pref = db.session.get(NotificationPreference, cast.town.id)
    assert pref.email_enabled and not pref.sms_enabled and pref.mobile is None  # the posted SMS fields are ignored
    with pytest.raises(ValidationFailed) as refused:
        subscribe_sms(cast.town)
    assert "sms_enabled" in refused.value.errors
    # A preference saved while a gateway existed gives no SMS job once it is gone.
    pref.sms_enabled, pref.mobile = True, "13812345678"
    db.session.commit()
    outcome = engine.apply(draft().id, "submit", cast.applicant)
    keys = set(db.session.scalars(select(Outbox.effect_key)))
    assert f"t{outcome.transition_id}:u{cast.town.id}:email" in keys
    assert not any(k.endswith(":sms") for k in keys)


def test_sms_text_is_one_message_without_links():
    title = "品字标：浙江省临海市某某精密机械制造股份有限公司年产十万套高精度汽车变速器齿轮 — 提交申请"
    body = "资料初审 → 镇街推荐（待办理）\n理由：补充材料见 https://registry.example/x?token=secret 以及 www.x.cn/a 😀" + "说明" * 40
    text = sms_text(title, body, SIGN)
    assert len(SIGN) + len(text) == SMS_LIMIT and text.endswith("…")
    assert "http" not in text and "token" not in text and "www." not in text and "😀" not in text
    assert text.startswith("品字标：浙江省临海市") and "资料初审" in text
    short = sms_text("办理提醒：某申请即将到期", "请在 2026-03-09 17:00 前办理。", SIGN)
    assert short == "办理提醒：某申请即将到期：请在 2026-03-09 17:00 前办理。"


def test_channel_settings_in_a_browser(app, page, phone_page, shot, make_user, monkeypatch):
    """What an officer sees: SMS offered with a gateway (a bad number refused beside the field, a good one saved,
    also on a phone), and a plain sentence instead of the fields without one."""
    from tests.browser.fixtures import sign_in

    user = make_user("town")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", "http://127.0.0.1:9/sms")
    sign_in(page, user.email)
    page.goto("/notifications")
    page.check("input[name=sms_enabled]")
    page.fill("input[name=mobile]", "138 1234 567")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".field.has-error input[name=mobile]").count() == 1
    shot(page, "sms-01-bad-number")
    page.fill("input[name=mobile]", "１３８－１２３４－５６７８")
    page.click("main form button.primary")
    page.wait_for_load_state("networkidle")
    assert page.input_value("input[name=mobile]") == "13812345678" and page.is_checked("input[name=sms_enabled]")
    shot(page, "sms-02-saved")
    sign_in(phone_page, user.email)
    phone_page.goto("/notifications")
    shot(phone_page, "sms-03-phone")
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", None)
    page.goto("/notifications")
    assert page.locator("#sms-unavailable").is_visible() and page.locator("input[name=mobile]").count() == 0
    shot(page, "sms-04-no-gateway")


def test_one_sms_is_seventy_characters_and_the_body_at_most_fifty():
    """A Chinese SMS (UCS-2) holds 70 characters, the sign included; the body's part is cut at 50 so that a long
    body never crowds out the title (both numbers are the gateway's and the notice's, not the module's)."""
    assert sms_text("办", "正文" * 100, SIGN) == "办：" + ("正文" * 25)[:49] + "…"  # the body's 50, "…" included
    full = sms_text("标题" * 100, "正文" * 100, SIGN)
    assert len(SIGN) + len(full) == 70 and full.endswith("…")


@pytest.mark.parametrize("link", ["https://registry.example/a?token=secret", "http://x.cn/b", "www.x.cn/c",
                                  "HTTPS://X.CN/D"])
def test_an_sms_carries_no_link_wherever_it_stands(link):
    text = sms_text("提醒", f"请办理 {link} 谢谢", SIGN)
    assert text == "提醒：请办理 谢谢"


@pytest.mark.parametrize("status, permanent", [(400, True), (404, True), (409, True), (428, True), (408, False),
                                               (429, False), (430, True), (500, False), (503, False)])
def test_which_gateway_answers_are_retried(app, gateway, with_gateway, make_user, status, permanent):
    """408 (request timeout) and 429 (too many requests) say "try later": retried like a 5xx; any other 4xx is the
    gateway refusing this message for good (dead-lettered at once)."""
    from workflows import delivery
    from workflows.models import Notification

    user = make_user("town")
    subscribe_sms(user)
    note = Notification(user_id=user.id, kind="reminder", title="提醒", body="请办理", link="/", effect_key=f"probe-{status}")
    db.session.add(note)
    db.session.commit()
    gateway.answer(status)
    with pytest.raises(delivery.DeliveryError) as refused:
        delivery.send(note.id, "sms")
    assert refused.value.permanent is permanent
    assert [r["status"] for r in gateway.received] == [status]
