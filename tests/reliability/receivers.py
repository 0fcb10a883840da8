"""A webhook receiver on 127.0.0.1 that keeps each delivery in flight for a while, so a worker can be killed in
the middle of one."""
from __future__ import annotations

import select
import socket
import threading
import time

from tests.workflows.receivers import LocalHttpReceiver


def _sender_gone(sock: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


class HoldingWebhook(LocalHttpReceiver):
    """Holds every POST ``hold`` seconds (None: until the sender goes away) before answering 200.

    ``arrivals`` lists every request's effect key. A delivery counts as *accepted* (the effect happened) only when
    answered to a sender still connected; one whose sender died while it was held is *abandoned*: the sender never
    learnt whether it arrived, so the registry sends it again under the same effect key and a receiver drops what
    it never confirmed (the test prints both counts).
    """

    def __init__(self, hold: float | None):
        self.hold = hold
        self.arrivals: list[str] = []
        self.accepted: list[str] = []
        self.abandoned: list[str] = []
        self.holding: dict[int, tuple[str, float]] = {}
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        super().__init__()

    def on_post(self, request) -> None:
        key = self.read_json(request)["effect_key"]
        ticket = id(request)
        with self.changed:
            self.arrivals.append(key)
            self.holding[ticket] = (key, time.monotonic())
            self.changed.notify_all()
        gone = False
        until = None if self.hold is None else time.monotonic() + self.hold
        while not self.stopping.is_set() and (until is None or time.monotonic() < until):
            if _sender_gone(request.connection):
                gone = True
                break
            time.sleep(0.02)
        with self.changed:
            del self.holding[ticket]
            (self.abandoned if gone or self.stopping.is_set() else self.accepted).append(key)
            self.changed.notify_all()
        if gone:
            request.close_connection = True
            return
        self.reply(request)

    def __exit__(self, *exc):
        self.stopping.set()
        super().__exit__(*exc)

    def wait_held(self, timeout: float = 20.0, max_age: float = 0.3) -> str:
        """Wait until a delivery has just arrived and is being held (its sender waiting for the answer), and return
        its effect key; "just": at most ``max_age`` seconds ago, so there is time to kill the sender mid-flight."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                now = time.monotonic()
                for key, since in self.holding.values():
                    if now - since <= max_age:
                        return key
                if now >= deadline:
                    raise AssertionError(f"no delivery in flight within {timeout}s; arrivals {self.arrivals}")
                self.changed.wait(0.02)

    def wait_settled(self, timeout: float = 10.0) -> None:
        """Wait until no delivery is held any more."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.holding and time.monotonic() < deadline:
                self.changed.wait(0.05)
