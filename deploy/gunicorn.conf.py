"""gunicorn settings for the web process: ``gunicorn -c deploy/gunicorn.conf.py registry.wsgi:app``.

Every value comes from ``config.load_config()`` (config.py is the only reader of the environment): WEB_BIND,
WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT. Logging is the application's one configuration (registry/logs.py), so
gunicorn's own messages carry the same timestamp, level and logger fields as the app's; the access log is written
by the app (logger ``registry.access``, with the request id), so gunicorn's is off.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import load_config  # noqa: E402
from registry.logs import dict_config  # noqa: E402

_settings = load_config()

wsgi_app = "registry.wsgi:app"
bind = _settings["WEB_BIND"]
workers = _settings["WEB_WORKERS"]
threads = _settings["WEB_THREADS"]
worker_class = "gthread"
timeout = _settings["WEB_TIMEOUT"]
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, so a slow leak cannot grow without bound; jitter keeps them from restarting at once.
max_requests = 2000
max_requests_jitter = 200
# The forwarded headers are applied by the app (TRUSTED_PROXIES, Werkzeug's ProxyFix), in one place.
forwarded_allow_ips = ""
accesslog = None
errorlog = "-"
control_socket_disable = True  # gunicornc is not used; several instances on one host would share its path
logconfig_dict = dict_config(_settings)


# Metrics of every worker process are added up at /metrics when PROMETHEUS_MULTIPROC_DIR is set (registry/ops/metrics.py).
def on_starting(server):
    from registry.ops.metrics import on_starting as empty_folder

    empty_folder(_settings["PROMETHEUS_MULTIPROC_DIR"])


def child_exit(server, worker):
    from registry.ops.metrics import child_exit as forget_process

    forget_process(_settings["PROMETHEUS_MULTIPROC_DIR"], worker.pid)
