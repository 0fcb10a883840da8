"""Double submit (reliability.md, "Workflow integrity"): 20 identical POSTs of the same new application sent at once
to the app served by a real threaded WSGI server, from one signed-in browser session (same form, same CSRF token,
same idempotency key), and 20 identical API calls with one ``Idempotency-Key``. Figure: 1 application each, every
answer the same redirect or the same 201, 5xx = 0."""
from __future__ import annotations

import re
import threading
from collections import Counter

import requests
from sqlalchemy import func, select

from registry.extensions import db
from tests.conftest import Auth, csrf_token_from
from workflows.models import Application

POSTS = 20


def _at_once(call) -> list:
    barrier = threading.Barrier(POSTS)
    results, lock = [], threading.Lock()

    def one():
        barrier.wait(timeout=30)
        try:
            outcome = call()
        except Exception as exc:  # noqa: BLE001  (a dropped connection counts against the figure)
            outcome = repr(exc)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(POSTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _applications(user) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Application.id)).where(Application.created_by_id == user.id))


def test_20_identical_form_posts_make_one_application(cast, live_server):
    browser = requests.Session()
    token = csrf_token_from(browser.get(f"{live_server}/login", timeout=30).text)
    signed_in = browser.post(f"{live_server}/login", data={"email": cast.applicant.email, "password": Auth.PASSWORD,
                                                            "csrf_token": token}, allow_redirects=False, timeout=30)
    assert signed_in.status_code in (302, 303)
    form = browser.get(f"{live_server}/applications/new", timeout=30).text
    data = {"csrf_token": csrf_token_from(form),
            "idempotency_key": re.search(r'name="idempotency_key" value="(\d+)"', form).group(1),
            "product": "高精度汽车齿轮", "standard_id": "", "standard_proposal": "汽车变速器齿轮",
            "self_assessment": "自评 85 分"}
    cookies = browser.cookies.get_dict()

    def post():
        answer = requests.post(f"{live_server}/applications/new", data=data, cookies=cookies, allow_redirects=False,
                               timeout=60)
        return answer.status_code, answer.headers.get("Location")

    answers = Counter(_at_once(post))
    created = _applications(cast.applicant)
    server_errors = sum(n for answer, n in answers.items() if not isinstance(answer, tuple) or answer[0] >= 500)
    print(f"\n{POSTS} identical concurrent form POSTs: applications = {created}, 5xx = {server_errors}, "
          f"answers {dict(answers)}")
    assert created == 1
    assert len(answers) == 1 and next(iter(answers))[0] == 302, answers  # all sent to the one draft


def test_20_identical_api_posts_make_one_application(cast, api, live_server):
    headers = {**api(cast.applicant), "Idempotency-Key": "double-click-1"}
    body = {"workflow": "pinzibiao", "fields": {"product": "高精度汽车齿轮", "standard_proposal": "汽车变速器齿轮",
                                                "self_assessment": "自评 85 分"}}

    def post():
        answer = requests.post(f"{live_server}/api/v1/applications", json=body, headers=headers, timeout=60)
        return answer.status_code, answer.json().get("id") if answer.status_code < 500 else None

    answers = Counter(_at_once(post))
    created = _applications(cast.applicant)
    server_errors = sum(n for answer, n in answers.items() if not isinstance(answer, tuple) or answer[0] >= 500)
    print(f"\n{POSTS} identical concurrent API POSTs (one Idempotency-Key): applications = {created}, "
          f"5xx = {server_errors}, answers {dict(answers)}")
    assert created == 1
    assert len(answers) == 1 and next(iter(answers))[0] == 201, answers
