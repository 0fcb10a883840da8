"""Server-side request forgery through the webhook channel and the SMS gateway (issue 9, item 2).

Refused at save (a form error beside the field) and again at delivery, on a real worker whose allow-list does not
hold the loopback address (the test profile lists 127.0.0.1 for the other tests' local receivers). Real receivers
on 127.0.0.1 and [::1] count every request: they must see none.
"""
from __future__ import annotations

import socket
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import select

from registry import outbound
from registry.extensions import db
from tests import background
from tests.worker import WorkerProcess
from workflows import dispatch
from workflows.models import NotificationPreference, Outbox
from workflows.notify import notify

_LOGS: list[WorkerProcess] = []


class Counter:
    """An HTTP receiver that counts every request it gets (any method) and answers 200, or a redirect."""

    def __init__(self, host: str = "127.0.0.1", redirect_to: str | None = None):
        counter = self
        self.hits = 0
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def _any(self):
                with counter.lock:
                    counter.hits += 1
                self.send_response(302 if redirect_to else 200)
                if redirect_to:
                    self.send_header("Location", redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET = _any  # noqa: N815

            def log_message(self, *args):
                pass

        server_class = ThreadingHTTPServer
        if ":" in host:
            server_class = type("V6Server", (ThreadingHTTPServer,), {"address_family": socket.AF_INET6})
        self.server = server_class((host, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def v4():
    with Counter("127.0.0.1") as receiver:
        yield receiver


@pytest.fixture(scope="module")
def v6():
    with Counter("::1") as receiver:
        yield receiver


def _bad_urls(v4, v6) -> list[str]:
    return [f"http://127.0.0.1:{v4.port}/robot/send", f"http://localhost:{v4.port}/robot/send",
            f"http://[::1]:{v6.port}/robot/send", f"http://127.1:{v4.port}/x", f"http://2130706433:{v4.port}/x",
            f"http://[::ffff:127.0.0.1]:{v4.port}/x", f"http://0.0.0.0:{v4.port}/x",
            "http://10.0.0.8/robot/send", "http://192.168.1.1/x", "http://172.16.0.1/x", "http://100.64.0.1/x",
            "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://224.0.0.1/x",
            "http://240.0.0.1/x", "http://[fc00::1]/x"]


@pytest.fixture
def no_allow_list(app, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", ())


def _save(client, auth, url: str):
    return client.post("/notifications", data={"csrf_token": auth.csrf("/notifications"), "email_enabled": "",
                                               "email": "", "webhook_enabled": "y", "webhook_url": url})


def test_the_settings_form_refuses_internal_destinations_beside_the_field(client, auth, make_user, v4, v6,
                                                                          no_allow_list):
    user = make_user("enterprise")
    auth.login(user)
    for url in _bad_urls(v4, v6):
        page = _save(client, auth, url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert "Webhook 地址不可用" in html and "不允许发送" in html, url
        assert db.session.get(NotificationPreference, user.id) is None
    assert v4.hits == v6.hits == 0


def test_with_an_allow_list_only_its_hosts_are_destinations(client, auth, make_user, app, monkeypatch, v4):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", ("oapi.dingtalk.com",))
    user = make_user("enterprise")
    auth.login(user)
    for url in (f"http://127.0.0.1:{v4.port}/robot/send", "https://evil.example/robot/send",
                "https://oapi.dingtalk.com.evil.example/robot/send"):
        html = _save(client, auth, url).get_data(as_text=True)
        assert "只允许发送到这些主机：oapi.dingtalk.com" in html, url
    assert _save(client, auth, "https://oapi.dingtalk.com/robot/send?access_token=x").status_code == 302
    assert db.session.get(NotificationPreference, user.id).webhook_url.startswith("https://oapi.dingtalk.com/")


@pytest.mark.parametrize("address, kind", [("127.0.0.1", "本机"), ("::1", "本机"), ("10.1.2.3", "内网"),
                                           ("169.254.169.254", "链路本地"), ("224.0.0.1", "组播"),
                                           ("::ffff:127.0.0.1", "本机"), ("100.64.0.1", "非公网"),
                                           ("0.0.0.0", "未指定"), ("8.8.8.8", None), ("2001:4860:4860::8888", None)])
def test_address_kinds(address, kind):
    found = outbound.refused_kind(address)
    assert (found is None) if kind is None else (kind in found)


# --- at delivery, on a real worker -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ssrf_worker(app, service_urls, v4):
    """A worker with no allow-list (the environment's empty WEBHOOK_ALLOWED_HOSTS) and an SMS gateway URL on the
    loopback receiver, on a queue of its own."""
    urls = {**service_urls, "queue": service_urls["queue"] + "-ssrf"}
    worker = WorkerProcess(urls, extra_env={"WEBHOOK_ALLOWED_HOSTS": "",
                                            "SMS_GATEWAY_URL": f"http://127.0.0.1:{v4.port}/sms/send"})
    worker.log_path = Path(service_urls["tmp"]) / "worker-ssrf.log"
    worker.start()
    _LOGS.append(worker)
    yield worker
    worker.stop()


def _deliver(users_urls: list, sms: bool = False) -> list[Outbox]:
    """Store each user's webhook URL directly (as if saved before DNS changed), notify them, publish the rows to
    the queue in use; returns the outbox rows."""
    now = datetime.now(timezone.utc)
    for user, url in users_urls:
        db.session.add(NotificationPreference(user_id=user.id, email_enabled=False, webhook_enabled=bool(url),
                                              webhook_url=url or None, sms_enabled=sms, mobile="13812345678"))
    db.session.commit()
    jobs = notify([u for u, _ in users_urls], key=f"ssrf{now.timestamp()}", kind="transition", title="标题", body="正文",
                  now=now, link="/applications")
    db.session.commit()
    dispatch.publish(jobs)
    return [db.session.get(Outbox, row_id) for row_id, _ in jobs]


def _wait_dead(rows: list[Outbox]) -> list[Outbox]:
    ids = [r.id for r in rows]

    def settled():
        return all(s == "dead" for s in db.session.scalars(select(Outbox.status).where(Outbox.id.in_(ids))))

    background.wait_for(settled, 60, "every refused row dead-lettered", workers=_LOGS)
    return list(db.session.scalars(select(Outbox).where(Outbox.id.in_(ids))))


def test_the_worker_refuses_internal_destinations_and_sends_nothing(app, make_user, monkeypatch, ssrf_worker, v4,
                                                                    v6):
    monkeypatch.setitem(app.config, "CELERY_QUEUE", ssrf_worker.service_urls["queue"])
    urls = _bad_urls(v4, v6)
    rows = _wait_dead(_deliver([(make_user("enterprise"), url) for url in urls]))
    assert len(rows) == len(urls)
    for row in rows:
        assert row.attempts == 1 and "refused destination" in row.last_error, row.last_error
    assert v4.hits == 0 and v6.hits == 0


def test_the_worker_refuses_an_sms_gateway_on_an_internal_address(app, make_user, monkeypatch, ssrf_worker, v4):
    monkeypatch.setitem(app.config, "CELERY_QUEUE", ssrf_worker.service_urls["queue"])
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", f"http://127.0.0.1:{v4.port}/sms/send")
    rows = _wait_dead(_deliver([(make_user("town"), None)], sms=True))
    assert [(r.payload["channel"], r.attempts) for r in rows] == [("sms", 1)]
    assert "refused destination" in rows[0].last_error
    assert v4.hits == 0


def test_a_redirect_to_loopback_is_not_followed(app, make_user, celery_worker):
    """The session's worker allow-lists 127.0.0.1 (the redirecting receiver); the redirect points at localhost."""
    with Counter("127.0.0.1") as target:
        with Counter("127.0.0.1", redirect_to=f"http://localhost:{target.port}/internal") as hop:
            rows = _wait_dead(_deliver([(make_user("enterprise"), f"http://127.0.0.1:{hop.port}/hook")]))
            assert hop.hits == 1 and target.hits == 0
    assert rows[0].attempts == 1 and "redirect" in rows[0].last_error
