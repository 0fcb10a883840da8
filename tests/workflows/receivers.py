"""Local receivers for integration tests: an SMTP server (aiosmtpd) and an HTTP webhook endpoint on 127.0.0.1."""
from __future__ import annotations

import json
import socket
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        with self.lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpSink:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.handler = _Handler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self):
        with self.handler.lock:
            return list(self.handler.messages)

    def effect_keys(self) -> list[str]:
        return [m["X-Registry-Effect"] for m in self.messages]


class LocalHttpReceiver:
    """An HTTP endpoint on 127.0.0.1 served from a thread (``with`` starts and stops it). Subclasses implement
    ``on_post(request)`` with the request handler (``read_json``, ``reply`` help) and name their ``path``."""

    path = "/robot/send"

    def __init__(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                receiver.on_post(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{self.path}"

    def on_post(self, request: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    @staticmethod
    def read_json(request: BaseHTTPRequestHandler) -> dict:
        return json.loads(request.rfile.read(int(request.headers.get("Content-Length", 0))))

    @staticmethod
    def reply(request: BaseHTTPRequestHandler, status: int = 200, body: bytes = b'{"errcode":0}') -> None:
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.end_headers()
        request.wfile.write(body)

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class WebhookSink(LocalHttpReceiver):
    def __init__(self):
        self.bodies: list[dict] = []
        super().__init__()

    def on_post(self, request) -> None:
        self.bodies.append(self.read_json(request))
        self.reply(request)

    def effect_keys(self) -> list[str]:
        return [b["effect_key"] for b in list(self.bodies)]


class SmsGateway(LocalHttpReceiver):
    """A fake government SMS gateway: records every POST (headers, JSON body, the status it answers) on arrival
    and answers with the statuses queued by ``answer(...)`` in order (each after its delay), then 200."""

    path = "/sms/send"

    def __init__(self):
        self.received: list[dict] = []  # {"headers": {...}, "body": {...}, "status": int}
        self.lock = threading.Lock()
        self._script: list[tuple[int, float]] = []
        super().__init__()

    def on_post(self, request) -> None:
        body = self.read_json(request)
        with self.lock:
            status, delay = self._script.pop(0) if self._script else (200, 0.0)
            self.received.append({"headers": dict(request.headers), "body": body, "status": status})
        time.sleep(delay)
        try:
            self.reply(request, status, json.dumps({"code": 0 if status == 200 else status}).encode())
        except OSError:  # the sender gave up waiting (a timeout test)
            pass

    def answer(self, *statuses: int, delay: float = 0.0) -> None:
        """Answer the next requests with these HTTP statuses (in order), each after ``delay`` seconds."""
        with self.lock:
            self._script.extend((status, delay) for status in statuses)

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self._script.clear()

    def for_biz(self, biz_id: str) -> list[dict]:
        """Every request (accepted or not) that carried ``biz_id``."""
        with self.lock:
            return [r for r in self.received if r["body"].get("biz_id") == biz_id]
