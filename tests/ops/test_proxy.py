"""Behind nginx: login limits key on the real client (TRUSTED_PROXIES + ProxyFix), never on the proxy's address,
and a forged X-Forwarded-For counts for nothing.

A real nginx (deploy/nginx/registry.conf, TLS) in front of a real gunicorn (deploy/gunicorn.conf.py) on loopback;
clients bind their sockets to distinct 127.x addresses. Every sign-in uses a wrong password, so the limit is hit
whether it counts attempts or failures. Limit per address: LOGIN_FAILURES_PER_ADDRESS (20 failures in 15 minutes).
"""
from __future__ import annotations

import uuid

import pytest

from config import BaseConfig
from tests.conftest import csrf_token_from
from tests.ops.stack import Gunicorn, Nginx, client_from

pytestmark = pytest.mark.usefixtures("app")  # the session database, with its tables


def _failed_sign_in(session, base: str, n: int, headers: dict | None = None) -> int:
    """Sign in with a wrong password as a browser does (the form's CSRF token; the Referer that Flask-WTF requires
    over HTTPS, which the app sees only when X-Forwarded-Proto is applied); returns the status."""
    page = session.get(base + "/login", timeout=10)
    assert page.status_code == 200, page.text[:500]
    answer = session.post(base + "/login", data={"email": f"nobody-{n}@linhai.example", "password": "wrong-password-1",
                                                 "csrf_token": csrf_token_from(page.text)},
                          headers={"Referer": base + "/login", **(headers or {})}, timeout=30)
    assert answer.status_code in (200, 429), answer.text[:500]
    return answer.status_code


def _failure_addresses(numbers) -> list[str]:
    """The client address the audit trail recorded for each failed sign-in as nobody-<n>, in order."""
    from sqlalchemy import select

    from registry.audit.models import SecurityEvent
    from registry.extensions import db

    db.session.rollback()
    rows = dict(db.session.execute(select(SecurityEvent.actor, SecurityEvent.address)
                                   .where(SecurityEvent.event == "sign_in_failed")).all())
    return [rows.get(f"nobody-{n}@linhai.example") for n in numbers]


def _limit_prefix(service_urls) -> dict:
    # Fresh limit counters for each server of each test (the limiter's keys start with the queue name).
    return {"CELERY_QUEUE": f"{service_urls['queue']}-proxy-{uuid.uuid4().hex[:6]}"}


def test_thirty_clients_through_one_proxy_are_not_throttled_together(service_urls, tmp_path):
    with Gunicorn(service_urls, tmp_path, {**_limit_prefix(service_urls), "TRUSTED_PROXIES": "1"}) as web, \
            Nginx(web.port, tmp_path) as proxy:
        statuses = [_failed_sign_in(client_from(f"127.0.0.{n}"), proxy.url, n) for n in range(2, 32)]
        assert statuses == [200] * 30
        # The security audit trail names each client, not the proxy.
        assert _failure_addresses(range(2, 32)) == [f"127.0.0.{n}" for n in range(2, 32)]

        # The same 30 attempts from one client: the 21st is refused, though each claims another address.
        one = client_from("127.0.0.40")
        statuses = [_failed_sign_in(one, proxy.url, n, {"X-Forwarded-For": f"10.9.0.{n}"}) for n in range(100, 130)]
        assert statuses == [200] * 20 + [429] * 10
        assert set(_failure_addresses(range(100, 120))) == {"127.0.0.40"}  # the forged addresses count for nothing


def test_a_forged_forwarded_for_is_ignored_without_trusted_proxies(service_urls, tmp_path):
    with Gunicorn(service_urls, tmp_path, {**_limit_prefix(service_urls), "TRUSTED_PROXIES": "0"}) as web:
        direct = client_from("127.0.0.50")
        statuses = [_failed_sign_in(direct, web.url, n, {"X-Forwarded-For": f"10.9.1.{n}", "X-Forwarded-Proto": "https"})
                    for n in range(30)]
        assert statuses == [200] * 20 + [429] * 10


def test_nginx_site_matches_the_app(service_urls, tmp_path):
    """The site's body limit is the app's upload limit; static files come from nginx itself, with HSTS."""
    from tests.ops.stack import ROOT, SITE

    assert f"client_max_body_size {BaseConfig.MAX_CONTENT_LENGTH // (1024 * 1024)}m;" in SITE.read_text()
    with Gunicorn(service_urls, tmp_path, {"TRUSTED_PROXIES": "1"}) as web, Nginx(web.port, tmp_path) as proxy:
        client = client_from("127.0.0.60")
        static = client.get(proxy.url + "/static/favicon.svg", timeout=10)
        assert static.status_code == 200 and "max-age=31536000" in static.headers["Strict-Transport-Security"]
        assert static.content == (ROOT / "registry" / "static" / "favicon.svg").read_bytes()
        assert "Content-Security-Policy" not in static.headers  # every answer of the app carries one: nginx served it
        too_big = client.post(proxy.url + "/login", data=b"x" * (BaseConfig.MAX_CONTENT_LENGTH + 1),
                              headers={"Content-Type": "application/octet-stream"}, timeout=30)
        assert too_big.status_code == 413
        plain = client.get(f"http://127.0.0.1:{proxy.http_port}/login", allow_redirects=False, timeout=10)
        assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")


@pytest.mark.parametrize("raw", ["-1", "two", "1.5"])
def test_trusted_proxies_must_be_a_count(monkeypatch, raw):
    from config import ConfigError, load_config

    monkeypatch.setenv("TRUSTED_PROXIES", raw)
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES"):
        load_config()
    monkeypatch.setenv("TRUSTED_PROXIES", " 2 ")
    assert load_config()["TRUSTED_PROXIES"] == 2
