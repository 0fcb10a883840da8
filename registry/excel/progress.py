"""Live progress of a running import, kept in Redis.

While an import's single transaction is open, its own job row cannot carry progress: other sessions do not
see uncommitted changes, and on SQLite no second writer may commit while the import holds the write lock.
So the running count goes to a short-lived Redis key; ``ImportJob.processed_rows`` takes the final count
in the import's own commit. Progress is cosmetic: a Redis failure is logged and ignored.
"""
from __future__ import annotations

import logging

import redis
from flask import current_app

from registry.redis_urls import urls_for

log = logging.getLogger(__name__)
_clients: dict[str, redis.Redis] = {}
TTL_SECONDS = 6 * 3600


def _client() -> redis.Redis:
    url = urls_for(current_app.config["REDIS_URL"]).client
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return client


def _key(job_id: int) -> str:
    return f"{current_app.config['CELERY_QUEUE']}:excel:import:{job_id}:processed"


def report(job_id: int, processed: int) -> None:
    try:
        _client().set(_key(job_id), processed, ex=TTL_SECONDS)
    except redis.RedisError:
        log.warning("could not record progress of import %s", job_id, exc_info=True)


def read(job_id: int) -> int | None:
    try:
        value = _client().get(_key(job_id))
    except redis.RedisError:
        log.warning("could not read progress of import %s", job_id, exc_info=True)
        return None
    return int(value) if value is not None else None


def clear(job_id: int) -> None:
    try:
        _client().delete(_key(job_id))
    except redis.RedisError:
        pass
