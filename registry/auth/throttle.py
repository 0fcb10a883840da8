"""The sign-in throttle: counts failed sign-ins only, on Redis, per client address and per account.

- Per address (``request.remote_addr``; ProxyFix sets it from a trusted proxy): LOGIN_FAILURES_PER_ADDRESS failures
  in LOGIN_FAILURE_WINDOW, then that address waits until the window ends.
- Per account: LOGIN_FAILURES_PER_ACCOUNT failures in the window from addresses that have never signed in to the
  account successfully. An address that has (the owner's office, the owner's phone) is not held back by the account
  limit, so a stranger guessing cannot lock the owner out; the address limit still applies to it.
- A successful sign-in clears the account's count and remembers the address for LOGIN_KNOWN_ADDRESS_DAYS.

Redis unreachable: the throttle lets the attempt through (logged), as a sign-in never fails for want of Redis.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

from registry.models.base import utcnow
from registry.redis_urls import urls_for

log = logging.getLogger(__name__)
_clients: dict[str, redis.Redis] = {}


@dataclass(frozen=True)
class Blocked:
    until: datetime  # UTC

    @property
    def seconds(self) -> int:
        return max(1, int((self.until - utcnow()).total_seconds() + 0.999))


def _client() -> redis.Redis:
    url = urls_for(current_app.config["REDIS_URL"]).client
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=0.3, socket_connect_timeout=0.3,
                                                      retry=Retry(NoBackoff(), 0))
    return client


def _key(*parts: str) -> str:
    return ":".join((current_app.config["CELERY_QUEUE"], "login", *parts))


def _account(email: str) -> str:
    return hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()


def _keys(email: str, address: str) -> tuple[str, str, str]:
    account = _account(email)
    return _key("fail-addr", address or "-"), _key("fail-acct", account), _key("known", account)


def _window() -> int:
    return int(current_app.config["LOGIN_FAILURE_WINDOW"].total_seconds())


def check(email: str, address: str) -> Blocked | None:
    """Whether a sign-in attempt for ``email`` from ``address`` must wait, and until when."""
    addr_key, acct_key, known_key = _keys(email, address)
    config = current_app.config
    try:
        pipe = _client().pipeline()
        pipe.get(addr_key).ttl(addr_key).get(acct_key).ttl(acct_key).sismember(known_key, address or "-")
        addr_count, addr_ttl, acct_count, acct_ttl, known = pipe.execute()
    except redis.RedisError:
        log.warning("sign-in throttle unavailable (Redis); attempt for an account let through")
        return None
    waits = []
    if int(addr_count or 0) >= config["LOGIN_FAILURES_PER_ADDRESS"]:
        waits.append(addr_ttl)
    if not known and int(acct_count or 0) >= config["LOGIN_FAILURES_PER_ACCOUNT"]:
        waits.append(acct_ttl)
    if not waits:
        return None
    return Blocked(until=utcnow() + timedelta(seconds=max(max(waits), 1)))


def failed(email: str, address: str) -> None:
    """Count a failed sign-in (wrong password, unknown or disabled account)."""
    addr_key, acct_key, known_key = _keys(email, address)
    window = _window()
    try:
        client = _client()
        known = client.sismember(known_key, address or "-")
        pipe = client.pipeline()
        pipe.set(addr_key, 0, ex=window, nx=True).incr(addr_key)
        if not known:
            pipe.set(acct_key, 0, ex=window, nx=True).incr(acct_key)
        pipe.execute()
    except redis.RedisError:
        log.warning("sign-in throttle unavailable (Redis); failure not counted")


def succeeded(email: str, address: str) -> None:
    """A successful sign-in: the account's failures are forgotten and the address becomes known to the account."""
    _, acct_key, known_key = _keys(email, address)
    try:
        pipe = _client().pipeline()
        pipe.delete(acct_key).sadd(known_key, address or "-")
        pipe.expire(known_key, int(timedelta(days=current_app.config["LOGIN_KNOWN_ADDRESS_DAYS"]).total_seconds()))
        pipe.execute()
    except redis.RedisError:
        log.warning("sign-in throttle unavailable (Redis); success not recorded")
