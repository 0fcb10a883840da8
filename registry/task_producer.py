"""The producer the outbox publishes with: Celery builds each message, one Redis client kept per process sends it.

``celery.send_task(..., producer=kept_producer())`` still does all of Celery's part: the protocol-2 headers, the
route to the task's queue (``registry.queues``), the ``before_task_publish`` signal that carries the request id.
Only kombu's part is replaced, for the case every outbox publish is (Celery's anonymous exchange for a direct
queue, JSON, no compression, no expiry, priority 0): kombu's Redis transport builds a new ``redis.Redis`` client
for each message and passes it through its producer and channel (issue 16: a quarter of an API action's CPU was
the publish). This writes the envelope that transport writes (the body in base64, the delivery info, a delivery
tag) to the queue's list with one LPUSH, on a client kept for the process. Any other message goes through
Celery's own pooled producer unchanged.

A broker outage still costs a request at most ``BROKER_PUBLISH_TIMEOUT``: the client's connect and read timeouts
are that, and it never retries (redis-py's default client would retry three times with backoff); the caller
(``workflows.dispatch``) catches the error and leaves the outbox row for the relay. The client's connection pool
reconnects by itself once Redis is back, and starts afresh in a forked process (redis-py checks the pid).
"""
from __future__ import annotations

import base64
import json
import threading
import uuid
from contextlib import nullcontext

from kombu.entity import maybe_delivery_mode
from kombu.serialization import dumps

PLAIN_SERIALIZER = "json"


class KeptProducer:
    """A ``kombu.Producer`` stand-in for ``Celery.send_task(producer=...)``; thread-safe (redis-py's pool hands each
    command a connection of its own)."""

    def __init__(self, celery, redis_url: str, timeout: float):
        self.celery = celery
        self.redis_url = redis_url
        self.timeout = timeout
        self._client = None
        self._lock = threading.Lock()

    @property
    def connection(self):
        """What ``send_task`` wraps the publish in (kombu's error translation, not needed: the caller catches all)."""
        return _NoTranslation

    @property
    def client(self):
        """The process's Redis client, made on first use (nothing connects at import or app creation)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import redis
                    from redis.backoff import NoBackoff
                    from redis.retry import Retry

                    self._client = redis.Redis.from_url(
                        self.redis_url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout,
                        retry=Retry(NoBackoff(), 0), retry_on_timeout=False)
        return self._client

    def publish(self, body, exchange=None, routing_key=None, serializer=None, compression=None, retry=False,
                retry_policy=None, delivery_mode=None, declare=None, headers=None, expiration=None, priority=0,
                timeout=None, confirm_timeout=None, **properties):
        if exchange or compression or expiration is not None or priority or retry or not routing_key or \
                (serializer or PLAIN_SERIALIZER) != PLAIN_SERIALIZER:
            with self.celery.producer_pool.acquire(block=True) as producer:
                return producer.publish(
                    body, exchange=exchange, routing_key=routing_key, serializer=serializer, compression=compression,
                    retry=retry, retry_policy=retry_policy, delivery_mode=delivery_mode, declare=declare,
                    headers=headers, expiration=expiration, priority=priority, timeout=timeout,
                    confirm_timeout=confirm_timeout, **properties)
        self.client.lpush(routing_key, envelope(body, routing_key, headers or {}, delivery_mode, properties))
        return None


class _NoTranslationType:
    @staticmethod
    def _reraise_as_library_errors():
        return nullcontext()


_NoTranslation = _NoTranslationType()


def envelope(body, queue: str, headers: dict, delivery_mode, properties: dict) -> str:
    """The JSON kombu's Redis transport stores for a message sent to ``queue`` by the anonymous exchange (its
    ``Producer.publish`` → ``Channel.prepare_message`` → ``basic_publish`` → ``_put``, at kombu 5.7)."""
    content_type, content_encoding, payload = dumps(body, serializer=PLAIN_SERIALIZER)
    if isinstance(payload, str):
        payload = payload.encode(content_encoding)
    return json.dumps({
        "body": base64.b64encode(payload).decode(),
        "content-encoding": content_encoding,
        "content-type": content_type,
        "headers": headers,
        "properties": {**properties, "delivery_mode": maybe_delivery_mode(delivery_mode),
                       "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0,
                       "body_encoding": "base64", "delivery_tag": str(uuid.uuid4())},
    })
