"""Outgoing HTTP to addresses people type (a webhook URL) or configure (the SMS gateway): the SSRF defence.

A destination is refused when its host resolves to an address that is not public: loopback, private (RFC 1918,
unique-local), link-local (the cloud metadata address 169.254.169.254), multicast, reserved, unspecified, shared
(100.64/10) or an IPv4-mapped form of any of these. It is checked when the address is saved (``check_url``, a
clear form error) and again at delivery (``post_json``), because DNS can change between the two: the connection
resolves the host once, checks every address it got and connects to a checked address, never to a second answer.
Redirects are never followed and the environment's proxy settings are ignored (a proxy would hide the address).

``WEBHOOK_ALLOWED_HOSTS`` (config) is an optional allow-list: when set, only those hosts are destinations, and
they are trusted as the operator's choice (an intranet SMS gateway, a test receiver on 127.0.0.1); the usual
production value is ``oapi.dingtalk.com``. Empty: any host whose every address is public.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from flask import current_app
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection


class UnsafeDestination(ValueError):
    """The destination may not be sent to. ``permanent`` is False when only the name lookup failed (try later)."""

    def __init__(self, message: str, permanent: bool = True):
        super().__init__(message)
        self.permanent = permanent


_KINDS = (("is_loopback", "本机（回环）"), ("is_link_local", "链路本地/云元数据"), ("is_multicast", "组播"),
          ("is_unspecified", "未指定"), ("is_reserved", "保留"), ("is_private", "内网"))


def refused_kind(address: str) -> str | None:
    """Why ``address`` (an IP literal) is not a public destination, in Chinese; None when it is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for attribute, label in _KINDS:
        if getattr(ip, attribute):
            return label
    return None if ip.is_global else "非公网"


def allowed_hosts() -> frozenset[str]:
    return frozenset(h.strip().lower().strip("[]") for h in current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or ()
                     if h.strip())


def _listed(host: str, allowed: frozenset[str]) -> bool:
    return host.lower().strip("[]").rstrip(".") in allowed


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, all public. Raises UnsafeDestination."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise UnsafeDestination(f"无法解析主机名 {host}。", permanent=False) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        kind = refused_kind(address)
        if kind:
            raise UnsafeDestination(f"地址 {host} 指向{kind}地址 {address}，不允许发送。")
    if not addresses:
        raise UnsafeDestination(f"无法解析主机名 {host}。", permanent=False)
    return addresses


def check_url(url: str, allowed: frozenset[str] | None = None) -> None:
    """Refuse a destination that is not http(s), not on the allow-list (when there is one), or that resolves to
    an address that is not public. Raises UnsafeDestination."""
    allowed = allowed_hosts() if allowed is None else allowed
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise UnsafeDestination("地址格式不正确。") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise UnsafeDestination("地址须为 http(s) 地址。")
    if allowed:
        if not _listed(host, allowed):
            raise UnsafeDestination(f"只允许发送到这些主机：{'、'.join(sorted(allowed))}。")
        return
    resolve(host, port or (443 if parts.scheme == "https" else 80))


class _Guarded:
    """A urllib3 connection that resolves its host once, checks every address and connects to a checked one."""

    allowed: frozenset[str] = frozenset()

    def _new_conn(self):
        if _listed(self._dns_host, self.allowed):
            return super()._new_conn()
        if self.allowed:
            raise NewConnectionError(self, f"refused destination: {self._dns_host} is not an allowed host")
        try:
            addresses = resolve(self._dns_host, self.port)
        except UnsafeDestination as exc:
            raise NewConnectionError(self, f"refused destination: {exc}") from exc
        failure: OSError | None = None
        for address in addresses:
            try:
                return connection.create_connection((address, self.port), self.timeout,
                                                    source_address=self.source_address,
                                                    socket_options=self.socket_options)
            except OSError as exc:
                failure = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


class _Adapter(HTTPAdapter):
    def __init__(self, allowed: frozenset[str]):
        self._allowed = allowed
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        guarded = {"allowed": self._allowed}
        http = type("GuardedHTTPConnection", (_Guarded, HTTPConnection), guarded)
        https = type("GuardedHTTPSConnection", (_Guarded, HTTPSConnection), guarded)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https})}


def post_json(url: str, body: dict, *, timeout: float, headers: dict | None = None) -> requests.Response:
    """POST ``body`` as JSON to a checked destination, no redirects followed, no proxy. Raises UnsafeDestination
    (refused before any connection), requests.RequestException (including a refusal at connection time)."""
    allowed = allowed_hosts()
    check_url(url, allowed)
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: the address checked is the one connected to
        adapter = _Adapter(allowed)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session.post(url, json=body, headers=headers or {}, timeout=(min(timeout, 3.0), timeout),
                            allow_redirects=False)
