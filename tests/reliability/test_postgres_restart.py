"""PostgreSQL restarted while the worker delivers and users submit (reliability.md, "Background work").

Everything runs as in production, on loopback: a PostgreSQL cluster of this test's own (``initdb`` in a temporary
folder, its own port; the machine's shared server is never touched), gunicorn serving the app, a Celery worker and
a beat (its production schedule: the outbox relay every 10 s), an SMTP server that keeps each message 0.3 s before
accepting it (so deliveries are in flight when the database goes), and client threads that create and submit 品字标
applications over the API. Each submission notifies the town reviewer by e-mail through the outbox. The cluster is
stopped (``pg_ctl stop -m fast``: every connection cut) and started again ``PG_RESTARTS`` times, down
``PG_DOWN_SECONDS`` each time.

Seen failing before the fix: a delivery whose "done" could not be written (the database went between the e-mail and
the mark) stayed ``sending``, to be sent again after its 5-minute lease; the outcome is now written through the
outage (``registry.db_retry``).

Asserted: every create answered 201 and every submit answered 200 is in the database afterwards (lost 0); every
outbox row ends ``done`` and the SMTP server got each message exactly once (lost 0, duplicated 0); no answer is a
5xx or a dropped connection unless the request overlapped a down window. Printed: the counts, and per restart the
seconds from PostgreSQL accepting connections again to the first successful request and to the next delivery.
CI restarts twice; ``make soak`` sets PG_RESTARTS=10.
"""
from __future__ import annotations

import asyncio
import os
import re
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import message_from_bytes

import pytest
import requests
from aiosmtpd.controller import Controller
from sqlalchemy import select

from registry.extensions import db
from tests.background import send
from tests.ops.private_services import PrivatePostgres, WebProcess, service_env, wait_until
from tests.worker import BeatProcess, WorkerProcess
from tests.workflows.receivers import free_port
from workflows import dispatch
from workflows.models import Application, NotificationPreference, Outbox

RESTARTS = int(os.environ.get("PG_RESTARTS", "2"))
DOWN_SECONDS = float(os.environ.get("PG_DOWN_SECONDS", "3"))
UP_SECONDS = 5.0  # traffic between two restarts, and before the first
CLIENTS = 4
HOLD = 0.3  # seconds the SMTP server keeps each message before its 250
FIELDS = {"product": "高精度汽车齿轮", "standard_proposal": "汽车变速器齿轮", "self_assessment": "自评 85 分"}


class HoldingSmtp:
    """aiosmtpd on a free port; records (effect key, time accepted) of every message after holding it."""

    def __init__(self, hold: float):
        self.port = free_port()
        self.accepted: list[tuple[str, float]] = []
        self.lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
                await asyncio.sleep(hold)
                key = message_from_bytes(envelope.content)["X-Registry-Effect"]
                with sink.lock:
                    sink.accepted.append((key, time.monotonic()))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def keys(self) -> list[str]:
        with self.lock:
            return [key for key, _ in self.accepted]

    def first_after(self, moment: float) -> float | None:
        with self.lock:
            return min((at for _, at in self.accepted if at >= moment), default=None)


@dataclass
class Call:
    what: str  # "create" or "submit"
    started: float
    ended: float
    status: int | None  # None: no answer (connection refused or dropped, timeout)
    application_id: int | None = None


class Clients:
    """Threads that create a draft and submit it, again and again, until stopped; each call is recorded."""

    def __init__(self, url: str, token: str):
        self.url, self.headers = url, {"Authorization": f"Bearer {token}"}
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(CLIENTS)]

    def _call(self, what: str, path: str, body: dict, session: requests.Session) -> tuple[Call, dict | None]:
        started = time.monotonic()
        try:
            answer = session.post(self.url + path, json=body, timeout=30,
                                  headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex})
            status, data = answer.status_code, (answer.json() if answer.status_code < 500 else None)
        except (requests.RequestException, ValueError):
            status, data = None, None
        call = Call(what, started, time.monotonic(), status, (data or {}).get("id"))
        with self.lock:
            self.calls.append(call)
        return call, data

    def _run(self) -> None:
        session = requests.Session()
        session.trust_env = False
        while not self.stopping.is_set():
            created, data = self._call("create", "/api/v1/applications", {"workflow": "pinzibiao", "fields": FIELDS},
                                       session)
            if created.status != 201:
                time.sleep(0.1)  # the database is down: do not spin
                continue
            self._call("submit", f"/api/v1/applications/{data['id']}/actions",
                       {"action": "submit", "version": data["version"]}, session)

    def __enter__(self) -> "Clients":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def first_success_after(self, moment: float) -> float | None:
        with self.lock:
            return min((c.ended for c in self.calls if c.started >= moment and c.status and c.status < 300),
                       default=None)


@pytest.fixture
def stack(app, service_urls, private_queue, tmp_path):
    """The private cluster with the schema, catalogues, an applicant (API token) and its town reviewer (e-mail on);
    the SMTP server; gunicorn, a worker and a beat bound to them."""
    from registry import create_app
    from registry.auth.tokens import issue_token
    from registry.seeds.catalogues import seed_catalogues
    from tests.factories import EnterpriseFactory, UserFactory, jurisdiction

    postgres = PrivatePostgres().start()
    url = postgres.url.replace("postgresql://", "postgresql+psycopg://", 1)
    side = create_app({"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": service_urls["redis"],
                       "INSTANCE_DIR": str(tmp_path), "CELERY_QUEUE": private_queue, "SERVER_NAME": "localhost"})
    app.extensions["celery"].set_default()  # the session's app stays Celery's default
    smtp = HoldingSmtp(HOLD)
    smtp.controller.start()
    processes = []
    try:
        with side.app_context():
            db.create_all()
            seed_catalogues()
            home = jurisdiction()
            applicant = UserFactory(role="enterprise", enterprise=EnterpriseFactory(jurisdiction=home))
            town = UserFactory(role="town", jurisdiction=home)
            db.session.add(NotificationPreference(user_id=town.id, email_enabled=True, webhook_enabled=False))
            db.session.commit()
            token = issue_token(applicant)
            db.session.remove()
            db.engine.dispose()
        urls = {**service_urls, "database": postgres.url, "queue": private_queue, "tmp": str(tmp_path)}
        env = {"SMTP_PORT": str(smtp.port)}
        worker = WorkerProcess(urls, env, concurrency=2, node_name=f"pgrestart-{os.getpid()}@%h")
        worker.log_path = tmp_path / "worker.log"
        beat = BeatProcess(urls, tmp_path / "beat.log", env)
        web = WebProcess(service_env(postgres.url, service_urls["redis"], str(tmp_path), private_queue, **env),
                         tmp_path, extra_args=("--threads", "4", "--timeout", "60"))
        for process in (worker, beat, web):
            process.start()
            processes.append(process)
        yield side, postgres, smtp, web, worker, token
    finally:
        for process in reversed(processes):
            process.stop()
        smtp.controller.stop()
        with side.app_context():
            db.session.remove()
            db.engine.dispose()
        postgres.remove()


def _settled(side, worker: WorkerProcess) -> bool:
    """Every delivery job the worker took has finished (none of the rows still "sending" is in flight)."""
    log = worker.log()
    received = len(re.findall(r"Task workflows\.send_notification\[[^\]]+\] received", log))
    finished = len(re.findall(r"Task workflows\.send_notification\[[^\]]+\] (?:succeeded|raised)", log))
    return received == finished


def _outbox(side) -> dict[str, str]:
    with side.app_context():
        try:
            return {key: status for key, status in db.session.execute(select(Outbox.effect_key, Outbox.status))}
        finally:
            db.session.remove()


def test_postgres_restarts_while_the_worker_delivers_and_users_submit(stack):
    side, postgres, smtp, web, worker, token = stack
    windows, to_request, to_delivery = [], [], []
    with Clients(web.url, token) as clients:
        time.sleep(UP_SECONDS)  # traffic before the first restart (the clients run meanwhile)
        for _ in range(RESTARTS):
            went = time.monotonic()
            postgres.stop()  # -m fast: every session is cut, mid-transaction or not
            time.sleep(DOWN_SECONDS)
            postgres.start()  # -w: returns once the server accepts connections
            back = time.monotonic()
            windows.append((went, back))
            wait_until(lambda: clients.first_success_after(back) is not None, "a successful request after the restart",
                       timeout=60, log=web.log_path)
            wait_until(lambda: smtp.first_after(back) is not None, "a delivery after the restart", timeout=60,
                       log=worker.log_path)
            to_request.append(clients.first_success_after(back) - back)
            to_delivery.append(smtp.first_after(back) - back)
            time.sleep(max(0.0, UP_SECONDS - (time.monotonic() - back)))  # traffic until the next restart
    calls = clients.calls

    # every row ends done: those whose job failed while the database was down are sent again by the relay. A claim
    # whose COMMIT reached the server but whose answer was cut leaves its row "sending" with nothing sent; its lease
    # (5 minutes) brings it back: the relay is then sent a clock past it, as beat would send it 5 minutes later.
    leased = []
    try:
        wait_until(lambda: "pending" not in _outbox(side).values() and _settled(side, worker), "the relay to drain",
                   timeout=120)
        leased = [key for key, status in _outbox(side).items() if status == "sending"]
        if leased:
            with side.app_context():
                send(side, "workflows.relay_outbox", side.config["CELERY_QUEUE"],
                     now=(datetime.now(timezone.utc) + dispatch.LEASE + timedelta(seconds=1)).isoformat())
        wait_until(lambda: set(_outbox(side).values()) == {"done"}, "every outbox row done", timeout=120)
    except AssertionError:
        raise AssertionError(f"outbox rows by status {Counter(_outbox(side).values())}\n{worker.log()[-3000:]}")
    rows = _outbox(side)
    sent = Counter(smtp.keys())
    duplicated = {key: n for key, n in sent.items() if n > 1}
    lost = set(rows) - set(sent)
    assert not duplicated and not lost and set(sent) == set(rows), (duplicated, lost, set(sent) - set(rows))

    # every acknowledged create and submit is in the database
    created = {c.application_id for c in calls if c.what == "create" and c.status == 201}
    submitted = [c for c in calls if c.what == "submit" and c.status == 200]
    with side.app_context():
        stages = dict(db.session.execute(select(Application.id, Application.stage)).all())
        db.session.remove()
    assert created <= set(stages), created - set(stages)
    submitted_ids = {int(c.application_id) for c in submitted}
    assert all(stages[i] == "town_recommendation" for i in submitted_ids), \
        {i: stages[i] for i in submitted_ids if stages[i] != "town_recommendation"}
    assert len(rows) >= len(submitted_ids)

    # failures only while the database was down: the call overlapped a down window
    failed = [c for c in calls if c.status is None or c.status >= 500]
    outside = [c for c in failed if not any(c.ended >= went and c.started <= back for went, back in windows)]
    assert not outside, [(c.what, c.status, round(c.started - windows[0][0], 2)) for c in outside]
    others = Counter(c.status for c in calls if c.status and 300 <= c.status < 500)
    assert not others, others  # no 4xx either: a client never saw a conflict or a refusal

    waited = worker.log().count(" done on try ")  # claims read back / outcomes written once the database was back
    print(f"\nPostgreSQL restarted {RESTARTS}x (down {DOWN_SECONDS:.0f}s each) under {CLIENTS} clients and a worker: "
          f"requests {len(calls)}, creates acknowledged {len(created)}, submits acknowledged {len(submitted)}, "
          f"5xx/no answer {len(failed)} (all inside a down window), lost 0; e-mails {len(rows)}, each delivered "
          f"once (duplicated 0, lost 0; {waited} claims or outcomes completed only after the restart, {len(leased)} left to "
          f"their lease by a cut COMMIT); from PostgreSQL back "
          f"to the first successful request "
          f"{min(to_request):.2f}-{max(to_request):.2f}s, to the worker delivering again "
          f"{min(to_delivery):.2f}-{max(to_delivery):.2f}s")
