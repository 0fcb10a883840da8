"""The production stack on loopback for tests: gunicorn with deploy/gunicorn.conf.py, and nginx with
deploy/nginx/registry.conf (its ports, certificate and paths swapped for a temporary directory's).

nginx is Debian's package (scripts/install-test-services.sh installs it); each test starts its own non-daemon
nginx with its own prefix, so nothing touches a system nginx.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
import urllib3
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent.parent
SITE = ROOT / "deploy" / "nginx" / "registry.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until(check, proc: subprocess.Popen, log: Path, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited:\n" + log.read_text(errors="replace")[-4000:])
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start:\n" + log.read_text(errors="replace")[-4000:])


def _stop(proc: subprocess.Popen | None) -> None:
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class Gunicorn:
    """``gunicorn -c deploy/gunicorn.conf.py`` on a free loopback port, on the test session's services."""

    def __init__(self, service_urls: dict, tmp: Path, env: dict | None = None, name: str = "web"):
        self.port = free_port()
        self.log_path = tmp / f"{name}.log"
        self.env = {**os.environ, "REGISTRY_ENV": "testing", "DATABASE_URL": service_urls["database"],
                    "REDIS_URL": service_urls["redis"], "INSTANCE_DIR": service_urls["tmp"],
                    "CELERY_QUEUE": service_urls["queue"], "WEB_BIND": f"127.0.0.1:{self.port}",
                    "WEB_WORKERS": "1", "WEB_THREADS": "4", "PYTHONPATH": str(ROOT), **(env or {})}
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Gunicorn":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
                                     cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        _wait_until(lambda: requests.get(self.url + "/healthz", timeout=2).status_code == 200, self.proc,
                    self.log_path, "gunicorn")
        return self

    def __exit__(self, *exc) -> None:
        _stop(self.proc)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def site_config(upstream_port: int, https_port: int, http_port: int, tmp: Path) -> str:
    """deploy/nginx/registry.conf with loopback ports, a self-signed certificate and this checkout's static root."""
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    site = SITE.read_text()
    site = re.sub(r"^\s*listen \[::\].*\n", "", site, flags=re.M)
    for old, new in ((r"listen 80;", f"listen 127.0.0.1:{http_port};"),
                     (r"listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
                     (r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream_port};"),
                     (r"/etc/ssl/registry/fullchain\.pem", str(cert)), (r"/etc/ssl/registry/privkey\.pem", str(key)),
                     (r"/opt/registry/app/", f"{ROOT}/")):
        site, count = re.subn(old, new, site)
        assert count, f"{old} not found in {SITE}"
    return site


class Nginx:
    """A non-daemon nginx serving deploy/nginx/registry.conf (HTTPS on ``port``) in front of ``upstream_port``."""

    def __init__(self, upstream_port: int, tmp: Path):
        self.dir = tmp / "nginx"
        self.dir.mkdir()
        self.port, self.http_port = free_port(), free_port()
        (self.dir / "site.conf").write_text(site_config(upstream_port, self.port, self.http_port, self.dir))
        temp = "\n".join(f"  {kind}_temp_path {self.dir}/{kind};" for kind in
                         ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        user = "user root;\n" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(
            f"{user}worker_processes 1;\npid {self.dir}/nginx.pid;\nerror_log {self.dir}/error.log;\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{\n  include /etc/nginx/mime.types;\n  access_log {self.dir}/access.log;\n{temp}\n"
            f"  include {self.dir}/site.conf;\n}}\n")
        self.log_path = self.dir / "stderr.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def __enter__(self) -> "Nginx":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf"), "-e",
                                      str(self.dir / "error.log"), "-g", "daemon off;"],
                                     stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

        def answers() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True

        _wait_until(answers, self.proc, self.dir / "error.log", "nginx", timeout=20)
        return self

    def __exit__(self, *exc) -> None:
        _stop(self.proc)


class _SourceAddress(HTTPAdapter):
    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(address: str) -> requests.Session:
    """A browser-like session whose connections come from ``address`` (any of 127.0.0.0/8)."""
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session = requests.Session()
    session.trust_env = False  # no proxy or CA bundle from the environment: loopback, self-signed
    session.verify = False
    adapter = _SourceAddress(address)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
