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


class WebhookSink:
    def __init__(self):
        self.bodies: list[dict] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                sink.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode":0}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def effect_keys(self) -> list[str]:
        return [b["effect_key"] for b in list(self.bodies)]


class SmsGateway:
    """A fake government SMS gateway: records every POST (headers, JSON body, the status it answers) on arrival
    and answers with the statuses queued by ``answer(...)`` in order (each after its delay), then 200."""

    def __init__(self):
        self.received: list[dict] = []  # {"headers": {...}, "body": {...}, "status": int}
        self.lock = threading.Lock()
        self._script: list[tuple[int, float]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                with sink.lock:
                    status, delay = sink._script.pop(0) if sink._script else (200, 0.0)
                    sink.received.append({"headers": dict(self.headers), "body": body, "status": status})
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(json.dumps({"code": 0 if status == 200 else status}).encode())
                except OSError:  # the sender gave up waiting (a timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

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
