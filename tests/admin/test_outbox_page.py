"""消息投递 page (registry/admin/outbox_views.py, workflows/services/outbox.py): counts and the worker's heartbeat,
dead rows listed with their (redacted) error, retry through a real worker delivering exactly once, retry of a
whole channel, discard with a note, compare-and-set under concurrent clicks, staff only, CSRF on every POST."""
from __future__ import annotations

import re

import threading
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from registry.extensions import db
from registry.models import Setting, User
from registry.models.heartbeat import Heartbeat
from tests.admin.conftest import post
from tests.background import finished, send, subscribe, wait_for
from tests.browser.fixtures import confirm_if_asked
from tests.workflows.receivers import LocalHttpReceiver
from workflows import dispatch, notify
from workflows.models import Notification, Outbox
from workflows.services import outbox

PAGE = "/admin/outbox"
SECRET = "tok3nS3cret9"


def _dead(user, channel="webhook", title="消息标题", error="webhook answered 503", attempts=8, status="dead",
          created_at=None, done_at=None) -> int:
    """A notification of ``user`` and its outbox row on ``channel`` in ``status``; commits, returns the row id."""
    key = f"test:{uuid.uuid4().hex[:10]}:u{user.id}"
    note = Notification(effect_key=key, user_id=user.id, kind="transition", title=title, body="正文")
    db.session.add(note)
    db.session.flush()
    row = Outbox(effect_key=f"{key}:{channel}", task=notify.SEND_TASK,
                 payload={"notification_id": note.id, "channel": channel}, status=status, attempts=attempts,
                 last_error=error, created_at=created_at or datetime.now(timezone.utc), done_at=done_at)
    db.session.add(row)
    db.session.commit()
    return row.id


def _row(row_id: int) -> Outbox:
    db.session.rollback()
    return db.session.get(Outbox, row_id)


def _beat(age: timedelta) -> None:
    db.session.merge(Heartbeat(name="worker", beat_at=datetime.now(timezone.utc) - age))
    db.session.commit()


@pytest.fixture
def void_queue(app, monkeypatch):
    """Publish to a queue nobody consumes (dropped with this session's keys after the test), so a retry in a test
    without a worker leaves no job behind for a later test's rows."""
    monkeypatch.setitem(app.config, "CELERY_QUEUE", f"{app.config['CELERY_QUEUE']}:outbox-void")


def test_counts_and_dead_rows_listed_with_their_error(client, auth, make_user):
    staff = make_user("bureau")
    town = make_user("town", display_name="王镇街", email="wangzhen@linhai.example")
    subscribe(town, f"https://oapi.dingtalk.com/robot/send?access_token={SECRET}")
    refused = _dead(town, "webhook", title="请审核：品字标申请",
                    error=f"webhook: HTTPSConnectionPool(host='oapi.dingtalk.com', port=443): Max retries exceeded "
                          f"with url: /robot/send?access_token={SECRET} (Caused by ConnectTimeoutError)")
    bounced = _dead(town, "email", title="提醒：期限将到", error="email: (550, b'5.1.1 <wangzhen@linhai.example>: "
                                                                "Recipient address rejected')")
    now = datetime.now(timezone.utc)
    _dead(town, "email", status="pending", created_at=now - timedelta(minutes=42), error=None, attempts=1)
    _dead(town, "email", status="sending", error=None, attempts=1)
    _dead(town, "email", status="done", done_at=now - timedelta(days=1), error=None)
    _dead(town, "email", status="done", done_at=now - timedelta(days=9), error=None)  # outside the 7 days
    _beat(timedelta(seconds=20))
    auth.login(staff)

    html = client.get(PAGE).get_data(as_text=True)
    assert "消息投递" in html
    age = re.search(r"后台任务进程正常：最近一次心跳在 (\d+) 秒前", html)  # 20 s ago when written; a loaded
    assert age and 20 <= int(age.group(1)) < 60, html[-3000:]  # machine may take a few seconds to get here
    overview = outbox.overview(staff, datetime.now(timezone.utc))
    assert (overview.pending, overview.sending, overview.dead, overview.done_recently) == (1, 1, 2, 1)
    assert 42 * 60 <= overview.oldest_pending_seconds < 44 * 60 and "最早一条已等待 42 分钟" in html
    for row_id, title in ((refused, "请审核：品字标申请"), (bounced, "提醒：期限将到")):
        assert f'id="outbox-{row_id}"' in html and title in html
    assert "王镇街" in html and "ConnectTimeoutError" in html and "Recipient address rejected" in html
    assert html.index(f'id="outbox-{bounced}"') < html.index(f'id="outbox-{refused}"')  # newest first
    # masked: the robot's token and the full e-mail address never reach the page
    assert SECRET not in html and "wangzhen@linhai.example" not in html
    assert "https://oapi.dingtalk.com/…" in html and "wa***@linhai.example" in html

    only_email = client.get(f"{PAGE}?channel=email").get_data(as_text=True)
    assert f'id="outbox-{bounced}"' in only_email and f'id="outbox-{refused}"' not in only_email
    assert "重试全部 1 条电子邮件消息" in only_email
    junk = client.get(f"{PAGE}?channel=<script>&page=-3&status=x")
    assert junk.status_code == 200 and f'id="outbox-{refused}"' in junk.get_data(as_text=True)


def test_dead_rows_are_paged_newest_first(client, auth, make_user):
    staff, user = make_user("bureau"), make_user("enterprise")
    ids = [_dead(user, "email", title=f"第{i}条") for i in range(outbox.PER_PAGE + 5)]
    auth.login(staff)
    first = client.get(PAGE).get_data(as_text=True)
    second = client.get(f"{PAGE}?page=2").get_data(as_text=True)
    assert f'id="outbox-{ids[-1]}"' in first and f'id="outbox-{ids[0]}"' not in first
    assert f'id="outbox-{ids[0]}"' in second and f'id="outbox-{ids[-1]}"' not in second
    assert "第 1 / 2 页" in first and "共 25 条" in first
    assert f'id="outbox-{ids[0]}"' in client.get(f"{PAGE}?page=99").get_data(as_text=True)  # clamped to the last


@pytest.mark.parametrize("age, shown", [(None, "从未收到过它的心跳"), (timedelta(minutes=9), "已有 9 分钟没有心跳"),
                                        (timedelta(minutes=2), "后台任务进程正常")])
def test_worker_heartbeat_on_the_page(client, auth, make_user, age, shown):
    if age is not None:
        _beat(age)
    auth.login(make_user("admin"))
    html = client.get(PAGE).get_data(as_text=True)
    assert shown in html
    assert ("后台任务进程似乎" in html) == (age is None or age > outbox.WORKER_DOWN_AFTER)


class FlakyWebhook(LocalHttpReceiver):
    """A DingTalk-style receiver on 127.0.0.1 that answers 503 while ``failing``, else 200, and records the effect
    key of every delivery it accepted."""

    path = f"/robot/send?access_token={SECRET}"

    def __init__(self):
        self.failing = True
        self.accepted: list[str] = []
        self.refused: list[str] = []
        super().__init__()

    def on_post(self, request) -> None:
        key = self.read_json(request)["effect_key"]
        (self.refused if self.failing else self.accepted).append(key)
        self.reply(request, 503 if self.failing else 200)


def _notify_and_publish(users, title) -> list[int]:
    """Notify ``users`` as a transition would (outbox rows written with the change), commit, publish."""
    jobs = notify.notify(users, key=f"test:{uuid.uuid4().hex[:8]}", kind="transition", title=title, body="正文",
                         now=datetime.now(timezone.utc), link="/applications")
    db.session.commit()
    dispatch.publish(jobs)
    return [row_id for row_id, _task in jobs]


def test_retry_puts_dead_rows_back_and_the_worker_delivers_each_once(app, client, auth, make_user, celery_worker):
    """The receiver refuses (503) until every row is dead after its one allowed attempt; it then recovers, staff
    retry one row, then the rest of the channel; the real worker delivers each exactly once, also when the retry
    is clicked again, the relay runs an hour ahead and the jobs are sent to the worker again."""
    db.session.add(Setting(key="workflows.outbox_max_attempts", value=1))
    db.session.commit()
    staff = make_user("bureau")
    recipients = [make_user("town", display_name=f"镇街{i}") for i in range(3)]
    mailbox = make_user("town")
    mail_dead = _dead(mailbox, "email", title="另一个渠道", error="email: [Errno 111] Connection refused")
    with FlakyWebhook() as receiver:
        for user in recipients:
            subscribe(user, receiver.url, email=False)
        ids = _notify_and_publish(recipients, "请审核：品字标申请")
        wait_for(lambda: all(_row(i).status == "dead" for i in ids), 30, "three dead rows", [celery_worker])
        assert len(receiver.refused) == 3 and receiver.accepted == []
        auth.login(staff)
        html = client.get(f"{PAGE}?channel=webhook").get_data(as_text=True)
        assert html.count("webhook answered 503") == 3 and SECRET not in html

        receiver.failing = False
        first = ids[0]
        response = post(client, auth, f"{PAGE}/{first}/retry", {"channel": "webhook"}, page=PAGE)
        assert response.status_code == 302 and response.headers["Location"].endswith("/admin/outbox?channel=webhook")
        wait_for(lambda: _row(first).status == "done", 30, "the retried row delivered", [celery_worker])
        again = post(client, auth, f"{PAGE}/{first}/retry", {}, page=PAGE)  # a second click: nothing to retry
        assert again.status_code == 302 and "已不在此列表中" in client.get(PAGE).get_data(as_text=True)
        assert [_row(i).status for i in ids[1:]] == ["dead", "dead"]

        response = post(client, auth, f"{PAGE}/retry-channel", {"retry_channel": "webhook", "channel": "webhook"},
                        page=PAGE)
        assert response.status_code == 302
        assert "已重新排队发送 2 条机器人 Webhook消息" in client.get(PAGE).get_data(as_text=True)
        wait_for(lambda: all(_row(i).status == "done" for i in ids), 30, "every row delivered", [celery_worker])
        assert _row(mail_dead).status == "dead"  # another channel's dead row stays where it was

        # Give duplicates every chance: the relay an hour ahead, each job sent to the worker twice more.
        queue = app.config["CELERY_QUEUE"]
        later = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
        tasks = [send(app, "workflows.relay_outbox", queue, now=later)]
        tasks += [send(app, notify.SEND_TASK, queue, outbox_id=row_id) for row_id in ids for _ in range(2)]
        wait_for(lambda: all(finished(celery_worker, task) for task in tasks), 30, "the extra jobs run",
                 [celery_worker])
        expected = sorted(_row(i).effect_key for i in ids)
        assert sorted(receiver.accepted) == expected  # each delivered exactly once
        for row_id in ids:
            row = _row(row_id)
            assert (row.status, row.attempts, row.payload["operator"]["action"]) == ("done", 1, "retry")
        assert "重试全部" not in client.get(f"{PAGE}?channel=webhook").get_data(as_text=True)


@pytest.mark.usefixtures("void_queue")
def test_retry_changes_only_set_aside_rows(client, auth, make_user):
    staff, user = make_user("bureau"), make_user("enterprise")
    done = _dead(user, "email", status="done", error=None, attempts=2)
    pending = _dead(user, "email", status="pending", error="email: timed out", attempts=3)
    auth.login(staff)
    for row_id, status, attempts in ((done, "done", 2), (pending, "pending", 3)):
        assert post(client, auth, f"{PAGE}/{row_id}/retry", {}, page=PAGE).status_code == 302
        row = _row(row_id)
        assert (row.status, row.attempts, "operator" in row.payload) == (status, attempts, False)
    assert post(client, auth, f"{PAGE}/987654/retry", {}, page=PAGE).status_code == 404
    bad = post(client, auth, f"{PAGE}/retry-channel", {"retry_channel": "no such!"}, page=PAGE)
    assert bad.status_code == 422 and "请选择要重试的发送渠道" in bad.get_data(as_text=True)


@pytest.mark.usefixtures("void_queue")
def test_discard_sets_a_row_aside_with_a_note(client, auth, make_user):
    staff, user = make_user("bureau", display_name="李审核"), make_user("enterprise")
    row_id = _dead(user, "email", title="被退回的邮件", error="email: (550, b'mailbox unavailable')")
    auth.login(staff)
    too_long = post(client, auth, f"{PAGE}/{row_id}/discard", {"note": "长" * 501}, page=PAGE)
    assert too_long.status_code == 422 and "说明不能超过 500 个字" in too_long.get_data(as_text=True)
    assert _row(row_id).status == "dead"

    response = post(client, auth, f"{PAGE}/{row_id}/discard", {"note": "企业邮箱已注销，已电话告知"}, page=PAGE)
    assert response.status_code == 302
    row = _row(row_id)
    assert row.status == "discarded" and row.last_error == "email: (550, b'mailbox unavailable')"
    assert row.payload["operator"]["note"] == "企业邮箱已注销，已电话告知" and row.payload["operator"]["by"] == "李审核"
    assert f'id="outbox-{row_id}"' not in client.get(PAGE).get_data(as_text=True)
    kept = client.get(f"{PAGE}?status=discarded").get_data(as_text=True)
    assert f'id="outbox-{row_id}"' in kept and "企业邮箱已注销，已电话告知" in kept and "李审核" in kept
    assert outbox.overview(staff, datetime.now(timezone.utc)).discarded == 1

    again = post(client, auth, f"{PAGE}/{row_id}/discard", {"note": "再次"}, page=PAGE)
    assert again.status_code == 302 and _row(row_id).payload["operator"]["note"] == "企业邮箱已注销，已电话告知"
    assert post(client, auth, f"{PAGE}/987654/discard", {}, page=PAGE).status_code == 404

    # a retry clicked on the dead list (it saw the row dead) does not revive it; one from the discarded list does
    assert post(client, auth, f"{PAGE}/{row_id}/retry", {}, page=PAGE).status_code == 302
    assert _row(row_id).status == "discarded"
    assert post(client, auth, f"{PAGE}/{row_id}/retry", {"status": "discarded"}, page=PAGE).status_code == 302
    row = _row(row_id)
    assert (row.status, row.attempts, row.payload["operator"]["action"]) == ("pending", 0, "retry")


@pytest.mark.usefixtures("void_queue")
def test_concurrent_retries_and_discards_change_a_row_once(app, make_user):
    """8 threads click retry or discard on the same dead row at once, 5 rounds: exactly one wins each round."""
    staff = make_user("bureau")
    user = make_user("enterprise")
    THREADS = 8  # noqa: N806  (within the pool of 15 connections, beside the test's own)
    for _round in range(5):
        row_id = _dead(user, "email")
        results, barrier = [], threading.Barrier(THREADS, timeout=30)

        def click(i, staff_id=staff.id, row_id=row_id):
            with app.app_context():
                actor = db.session.get(User, staff_id)
                barrier.wait()
                now = datetime.now(timezone.utc)
                won = outbox.retry(actor, row_id, now) if i % 2 else outbox.discard(actor, row_id, "并发", now)
                results.append(("retry" if i % 2 else "discard", won))
                db.session.remove()

        threads = [threading.Thread(target=click, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        winners = [kind for kind, won in results if won]
        assert len(results) == THREADS and len(winners) == 1, results
        row = _row(row_id)
        assert row.status == ("pending" if winners == ["retry"] else "discarded")
        assert row.payload["operator"]["action"] == winners[0]


@pytest.mark.parametrize("role", ["enterprise", "town", "expert"])
def test_staff_only(client, auth, make_user, role):
    row_id = _dead(make_user("enterprise"), "email")
    auth.login(make_user(role))
    token = auth.csrf("/")
    assert client.get(PAGE).status_code == 403
    for path, data in ((f"{PAGE}/{row_id}/retry", {}), (f"{PAGE}/{row_id}/discard", {"note": "x"}),
                       (f"{PAGE}/retry-channel", {"retry_channel": "email"})):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 403, path
    assert _row(row_id).status == "dead" and "operator" not in _row(row_id).payload


def test_anonymous_is_sent_to_sign_in_and_admin_sees_the_tab(client, auth, make_user):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    auth.login(make_user("admin"))
    assert 'href="/admin/outbox"' in client.get("/admin/users").get_data(as_text=True)


def test_every_outbox_post_needs_a_csrf_token(client, auth, make_user):
    row_id = _dead(make_user("enterprise"), "email")
    auth.login(make_user("bureau"))
    for path in (f"{PAGE}/{row_id}/retry", f"{PAGE}/{row_id}/discard", f"{PAGE}/retry-channel"):
        for token in (None, "forged-token"):
            data = {"retry_channel": "email", "note": "x", **({"csrf_token": token} if token else {})}
            assert client.post(path, data=data).status_code == 400, path
    row = _row(row_id)
    assert row.status == "dead" and row.attempts == 8


def test_masking_and_redaction():
    assert outbox.mask_address("email", "ab@x.cn") == "a***@x.cn"
    assert outbox.mask_address("webhook", "https://user:pw@open.feishu.cn/open-apis/bot/v2/hook/abcdef") == \
        "https://open.feishu.cn/…"
    assert outbox.mask_address("sms", "13812345678") == "138****5678"
    url = "https://open.feishu.cn/open-apis/bot/v2/hook/abcdef123"
    error = "webhook: Max retries exceeded with url: /open-apis/bot/v2/hook/abcdef123 (x); ?key=zz9&a=1"
    cleaned = outbox.redact(error, url, "webhook")
    assert "abcdef123" not in cleaned and "zz9" not in cleaned and "key=***" in cleaned


@pytest.mark.usefixtures("void_queue")
def test_the_page_in_a_browser(page, phone_page, shot, make_user):
    """Screenshots (desktop and phone) with a few dead rows and a stale worker; discard one through the confirm
    dialog and retry another, as a person would."""
    from tests.browser.fixtures import sign_in

    staff = make_user("bureau", display_name="陈审核")
    town = make_user("town", display_name="王镇街", email="wangzhen@linhai.example")
    firm = make_user("enterprise", display_name="浙江东海阀门有限公司", email="qa@donghai-valve.example")
    subscribe(town, f"https://oapi.dingtalk.com/robot/send?access_token={SECRET}")
    now = datetime.now(timezone.utc)
    _dead(firm, "email", title="您的品字标申请已退回修改", created_at=now - timedelta(days=2, hours=3),
          error="email: (550, b'5.1.1 <qa@donghai-valve.example>: Recipient address rejected: User unknown')")
    _dead(town, "webhook", title="请审核：浙江东海阀门有限公司 品字标申请", created_at=now - timedelta(hours=5),
          error=f"webhook: HTTPSConnectionPool(host='oapi.dingtalk.com', port=443): Max retries exceeded with url: "
                f"/robot/send?access_token={SECRET} (Caused by ConnectTimeoutError)")
    lost = _dead(town, "email", title="提醒：审核期限还剩 2 个工作日", error=dispatch.WORKER_LOST,
                 created_at=now - timedelta(hours=1))
    _dead(firm, "email", status="pending", error=None, attempts=2, created_at=now - timedelta(minutes=17))
    for days in (1, 2, 3):
        _dead(firm, "email", status="done", error=None, done_at=now - timedelta(days=days))
    _beat(timedelta(minutes=12))

    sign_in(page, staff.email)
    page.goto(PAGE)
    assert "后台任务进程似乎已停止" in page.inner_text("main")
    assert SECRET not in page.content()
    shot(page, "admin-outbox")
    sign_in(phone_page, staff.email)
    phone_page.goto(PAGE)
    shot(phone_page, "admin-outbox-phone")

    row = page.locator(f"#outbox-{lost}")
    row.locator("summary").click()  # 放弃… opens the note
    row.locator("input[name=note]").fill("已电话通知镇街")
    shot(page, "admin-outbox-discarding")
    row.locator("button.danger").click()
    confirm_if_asked(page, expect="放弃这条消息")  # the shared confirmation names what will happen
    page.wait_for_load_state("networkidle")
    assert "已放弃第" in page.inner_text("main") and page.locator(f"#outbox-{lost}").count() == 0
    page.locator("tr[id^=outbox-] button.primary").first.click()
    confirm_if_asked(page)
    page.wait_for_load_state("networkidle")
    assert "已重新排队发送" in page.inner_text("main")
    page.goto(f"{PAGE}?status=discarded")
    assert "已电话通知镇街" in page.inner_text("main")
    shot(page, "admin-outbox-discarded")
