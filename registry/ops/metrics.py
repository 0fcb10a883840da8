"""/metrics in the Prometheus text format.

Two kinds of figures:

- per request, counted in the process that served it: requests by endpoint, method and status, their latency
  (histogram), sign-in failures. With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn with several workers) each process
  writes its own files there and a scrape adds them up (prometheus_client's multiprocess mode); the gunicorn
  config calls ``on_starting`` and ``child_exit`` below.
- state, read at scrape time from the database and Redis: outbox jobs by channel and status, Celery queue lengths,
  heartbeat ages, applications by workflow, stage and status.

Nothing is created at import time: ``install`` adds the request hooks, the instruments are made on first use.
"""
from __future__ import annotations

import functools
import hmac
import ipaddress
import os
import shutil
import time

from flask import Flask, Response, abort, current_app, g, request

SIGN_IN_ENDPOINT = "auth.login"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@functools.cache
def instruments():
    """The per-request instruments, once per process, on a registry of their own (in multiprocess mode the values
    live in files and the scrape reads those instead)."""
    from prometheus_client import CollectorRegistry, Counter, Histogram

    registry = CollectorRegistry(auto_describe=True)
    return {
        "registry": registry,
        "requests": Counter("registry_http_requests", "HTTP requests served", ["endpoint", "method", "status"],
                            registry=registry),
        "latency": Histogram("registry_http_request_duration_seconds", "Time to answer a request",
                             ["endpoint", "method"], buckets=LATENCY_BUCKETS, registry=registry),
        "sign_in_failures": Counter("registry_sign_in_failures", "Sign-in attempts refused (rejected: wrong "
                                    "credentials or form; throttled: rate limit)", ["reason"], registry=registry),
    }


def _before() -> None:
    g.metrics_started = time.perf_counter()


def _after(response: Response) -> Response:
    started = g.pop("metrics_started", None)
    if started is None:
        return response
    endpoint = request.endpoint or "unmatched"
    found = instruments()
    found["requests"].labels(endpoint, request.method, str(response.status_code)).inc()
    found["latency"].labels(endpoint, request.method).observe(time.perf_counter() - started)
    if endpoint == SIGN_IN_ENDPOINT and request.method == "POST":
        if response.status_code == 429:
            found["sign_in_failures"].labels("throttled").inc()
        elif response.status_code == 200:  # the form again: wrong e-mail or password, or a refused form
            found["sign_in_failures"].labels("rejected").inc()
    return response


def install(app: Flask) -> None:
    app.before_request(_before)
    app.after_request(_after)


# ---- access ---------------------------------------------------------------------------------------------------

def allowed() -> bool:
    config = current_app.config
    token = config.get("METRICS_TOKEN")
    sent = request.headers.get("Authorization", "")
    if token and sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip().encode(), token.encode()):
        return True
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(client in ipaddress.ip_network(net, strict=False) for net in config.get("METRICS_ALLOW") or ())


# ---- exposition -----------------------------------------------------------------------------------------------

def request_figures() -> bytes:
    from prometheus_client import CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    folder = current_app.config.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=folder)
        return generate_latest(registry)
    return generate_latest(instruments()["registry"])


def state_figures() -> bytes:
    from prometheus_client import CollectorRegistry, generate_latest

    from registry.ops.state_metrics import StateCollector

    registry = CollectorRegistry()
    registry.register(StateCollector(current_app._get_current_object()))
    return generate_latest(registry)


def scrape() -> Response:
    if not allowed():
        abort(403)
    from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4  # every Prometheus reads it; names are ASCII

    body = request_figures() + state_figures()
    return Response(body, content_type=CONTENT_TYPE_PLAIN_0_0_4, headers={"Cache-Control": "no-store"})


# ---- gunicorn hooks (deploy/gunicorn.conf.py) ------------------------------------------------------------------

def on_starting(folder: str | None) -> None:
    """Empty the multiprocess folder before the workers start: figures of a previous run must not be added in."""
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for entry in os.listdir(folder):
        path = os.path.join(folder, entry)
        if os.path.isdir(path):
            shutil.rmtree(path)
        else:
            os.remove(path)


def child_exit(folder: str | None, pid: int) -> None:
    """A worker process ended: its live gauges no longer count (counters and histograms keep their totals)."""
    if folder:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, folder)
