"""Behind a reverse proxy: trust exactly ``TRUSTED_PROXIES`` hops of X-Forwarded-For/-Proto/-Host.

With nginx in front, ``request.remote_addr`` is nginx's own address unless the forwarded headers are applied; then
every client shares one login-limit bucket and the logs name nobody. Trusting more hops than there are proxies
lets a client forge its address, so the default (0) applies none.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def register(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix for the configured number of trusted proxies (none when 0)."""
    hops = int(app.config.get("TRUSTED_PROXIES") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
