"""Registry version counters and the result cache they key.

Every derived number is cached in Redis under a key that includes the sum of the version counters of the
registry changes that can alter it (its rule's ``tokens`` plus 'enterprises' and 'all'). A flush hook collects
the tokens a transaction touches (an honour of type X -> 'honours:X', a certificate -> 'certifications:<type>',
a standard or drafter -> 'standards:<level>', a trademark -> 'trademarks:all' (+ ':madrid' / ':gi'), an
enterprise moved between towns or industries -> 'enterprises', an enterprise deleted -> 'all'; indicators, reported values and catalogues -> 'catalogue', which
versions the cached page fragments); after the
commit they are incremented, so only the rules that read those records recompute.

Writers that bypass the ORM (bulk loaders) call ``bump_all()``. Entries also expire after
``TARGETS_CACHE_SECONDS`` (default 6 hours) so a bump lost while Redis was unreachable, or counters
restored from an old Redis snapshot, cannot last longer than that.
"""
from __future__ import annotations

import json
import logging
import os

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from flask import current_app, has_app_context
from sqlalchemy import event, inspect

from registry.redis_urls import urls_for

log = logging.getLogger(__name__)
_clients: dict[str, redis.Redis] = {}
_installed: list[bool] = []
GLOBAL_TOKENS = ("all", "enterprises")


def _client() -> redis.Redis:
    url = urls_for(current_app.config["REDIS_URL"]).client
    client = _clients.get(url)
    if client is None:
        # Short timeouts and no retries: with Redis down a page computes its figures instead, and a commit that
        # bumps a counter waits at most ~0.4 s (reliability.md: a request never blocks for long on Redis).
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=0.2, socket_connect_timeout=0.2,
                                                      retry=Retry(NoBackoff(), 0))
    return client


def _prefix() -> str:
    return f"{current_app.config['CELERY_QUEUE']}:targets:"


def _values(obj, attr: str) -> set:
    """Current and pre-change values of ``attr`` (a record moved from one type to another touches both)."""
    history = inspect(obj).attrs[attr].history
    return {v for v in (*history.added, *history.unchanged, *history.deleted) if v is not None}


def tokens_for(obj, deleted: bool = False, created: bool = False) -> set[str]:
    """The version tokens a change to ``obj`` bumps (empty when it cannot alter any count)."""
    table = getattr(obj, "__tablename__", "")
    if table == "honours":
        return {f"honours:{v}" for v in _values(obj, "honour_type")}
    if table == "certifications":
        return {f"certifications:{v}" for v in _values(obj, "cert_type")}
    if table == "standards":
        return {f"standards:{v}" for v in _values(obj, "level")}
    if table == "standard_drafters":
        standard = obj.__dict__.get("standard")
        return {f"standards:{standard.level}"} if standard is not None else {"standards:*"}
    if table == "trademarks":
        tokens = {"trademarks:all"}
        if _values(obj, "madrid") & {True}:
            tokens.add("trademarks:madrid")
        if _values(obj, "geographical_indication") & {True}:
            tokens.add("trademarks:gi")
        return tokens
    if table == "gi_products":  # 地理标志产品保护 applications count with the GI trademarks
        return {"trademarks:gi"}
    if table == "settings":
        return {"settings:targets"} if str(getattr(obj, "key", "")).startswith("targets.") else set()
    if table == "green_product_domains":  # a renamed or added domain changes which certificates count
        return {"catalogue", "catalogues:green_product_domains"}
    if table in ("indicators", "reported_values", "jurisdictions", "industries"):
        return {"catalogue"}  # what the pages show around the figures
    if table == "enterprises":
        if deleted:
            return {"all"}  # its records went with it (ON DELETE CASCADE, unseen by the ORM)
        if created:
            return set()  # a new enterprise has no records yet
        state = inspect(obj)
        moved = any(state.attrs[a].history.has_changes() for a in ("jurisdiction_id", "industry_id"))
        return {"enterprises"} if moved else set()
    return set()


def rule_tokens(rule, scoped: bool = True) -> tuple[str, ...]:
    """The counters whose sum versions ``rule``'s cached results: its own, its table's wildcard, 'all', and
    'enterprises' when the result depends on where enterprises are (``scoped``: a town or industry filter, the
    town view). A city-wide figure does not move when an enterprise changes town."""
    tables = {t.split(":")[0] for t in rule.tokens}
    return (*rule.tokens, *(f"{t}:*" for t in sorted(tables)), *(GLOBAL_TOKENS if scoped else ("all",)))


def bump(tokens) -> None:
    """Increment the counters (after a commit); logs instead of failing when Redis is unreachable."""
    tokens = sorted(set(tokens))
    if not tokens or not has_app_context():
        return
    try:
        pipe = _client().pipeline(transaction=False)
        for token in tokens:
            pipe.incr(_prefix() + "v:" + token)
        pipe.execute()
    except redis.RedisError:
        log.warning("targets: could not bump %s; cached figures expire on their own", tokens)


def bump_all() -> None:
    """Invalidate every cached figure (after bulk loads that bypass the ORM)."""
    bump(["all"])


def version(tokens) -> int | None:
    """The sum of the counters ``tokens`` (missing ones are 0); None when Redis is unreachable."""
    try:
        values = _client().mget([_prefix() + "v:" + t for t in tokens])
    except redis.RedisError:
        return None
    return sum(int(v) for v in values if v is not None)


def versions(token_lists: list[tuple[str, ...]]) -> list[int | None]:
    """``version`` of several token lists with one round trip."""
    flat = sorted({t for tokens in token_lists for t in tokens})
    try:
        values = dict(zip(flat, _client().mget([_prefix() + "v:" + t for t in flat])))
    except redis.RedisError:
        return [None] * len(token_lists)
    return [sum(int(values[t]) for t in tokens if values[t] is not None) for tokens in token_lists]


def cache_get_many(keys: list[str]) -> list[dict | None]:
    try:
        raw = _client().mget([_prefix() + "c:" + k for k in keys]) if keys else []
    except redis.RedisError:
        return [None] * len(keys)
    return [json.loads(v) if v is not None else None for v in raw]


def cache_set_many(items: dict[str, dict]) -> None:
    if not items:
        return
    ttl = int(current_app.config.get("TARGETS_CACHE_SECONDS", 6 * 3600))
    try:
        pipe = _client().pipeline(transaction=False)
        for key, value in items.items():
            pipe.set(_prefix() + "c:" + key, json.dumps(value, separators=(",", ":")), ex=ttl)
        pipe.execute()
    except redis.RedisError:
        log.warning("targets: cache unavailable, figures computed without it")


def lease(name: str, seconds: int) -> str | None:
    """Take the named lease for ``seconds`` unless someone holds it: its token, or None (held, or Redis down)."""
    token = os.urandom(8).hex()
    try:
        taken = _client().set(_prefix() + "lease:" + name, token, nx=True, ex=seconds)
    except redis.RedisError:
        return None
    return f"{name}:{token}" if taken else None


def release(lease_token: str) -> None:
    """Give the lease back if it is still ours (it may have expired and been taken by another)."""
    name, token = lease_token.split(":", 1)
    key = _prefix() + "lease:" + name
    try:
        _client().eval(_RELEASE, 1, key, token)
    except redis.RedisError:
        log.warning("targets: could not release lease %s; it expires on its own", name)


_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def install(session_class) -> None:
    """Listen on the app's session class: collect tokens at flush, bump them after commit (once per process)."""
    if _installed:
        return
    _installed.append(True)

    @event.listens_for(session_class, "after_flush")
    def _collect(session, _context):
        tokens = session.info.setdefault("target_tokens", set())
        for obj in session.new:
            tokens |= tokens_for(obj, created=True)
        for obj in session.dirty:
            if session.is_modified(obj, include_collections=False):
                tokens |= tokens_for(obj)
        for obj in session.deleted:
            tokens |= tokens_for(obj, deleted=True)

    @event.listens_for(session_class, "after_commit")
    def _bump(session):
        tokens = session.info.pop("target_tokens", None)
        if tokens:
            bump(tokens)

    @event.listens_for(session_class, "after_rollback")
    def _forget(session):
        session.info.pop("target_tokens", None)
