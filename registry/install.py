"""``flask --app registry init``: install or upgrade in one command, safe to run on every release.

Migrates the database to the newest revision, adds the reference data every installation needs (Linhai's
jurisdictions and the plan's industries, the plan's indicators) and, when asked, creates the first administrator.
Every step adds only what is missing, so a second run changes nothing and an administrator's edits survive.

Settings (可配置规则) need no rows: each area declares its defaults in code and reads them until an administrator
stores a value. Writing the defaults as rows would pin today's values, so a later release that changes a default
would not reach an existing installation. ``init`` instead checks that every stored value still parses under the
release's declaration and names any that do not.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import click

ADMIN_PASSWORD_ENV = "REGISTRY_ADMIN_PASSWORD"


@dataclass
class InstallReport:
    revision: str | None = None
    jurisdictions_added: int = 0
    industries_added: int = 0
    indicators_added: int = 0
    settings_declared: int = 0
    settings_stored: int = 0
    settings_invalid: list[str] = field(default_factory=list)
    admin: str | None = None  # "created", "exists" or None (not asked)


def migrate() -> str | None:
    """Upgrade the database to the newest migration; returns the revision it is at."""
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from registry.extensions import db

    upgrade()
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def load_reference_data(report: InstallReport) -> None:
    """Add the missing jurisdictions, industries and plan indicators (commits)."""
    from registry.seeds.catalogues import seed_catalogues
    from registry.targets.seed import seed_indicators

    report.jurisdictions_added, report.industries_added = seed_catalogues()
    report.indicators_added = seed_indicators()


def check_settings(report: InstallReport) -> None:
    """Count the declared settings and the stored ones; list stored values this release no longer accepts."""
    from registry.extensions import db
    from registry.models import Setting
    from registry.services import settings

    known = settings.known()
    report.settings_declared = len(known)
    for row in db.session.query(Setting).all():
        spec = known.get(row.key)
        if spec is None:
            continue  # markers the demo and other areas keep in the same table
        report.settings_stored += 1
        try:
            settings.parse(spec, row.value)
        except ValueError as exc:
            report.settings_invalid.append(f"{row.key}: {exc}")


def ensure_admin(email: str, password: str | None, ask_password) -> str:
    """Create the administrator ``email`` unless an account with that e-mail exists; returns "created" or
    "exists". ``ask_password`` is called only when one is needed and none was given. Raises ValidationFailed."""
    from sqlalchemy import func, select

    from registry.extensions import db
    from registry.models import User
    from registry.services.accounts import create_user, normalise_email

    if db.session.scalar(select(User.id).where(func.lower(User.email) == normalise_email(email))) is not None:
        return "exists"
    create_user(email, "admin", password or ask_password(), display_name="系统管理员")
    return "created"


@click.command("init")
@click.option("--admin-email", default=None, help="Create this administrator if no account has this e-mail.")
@click.option("--admin-password", envvar=ADMIN_PASSWORD_ENV, default=None, show_envvar=True,
              help=f"The new administrator's password (better: set {ADMIN_PASSWORD_ENV}; omitted: asked for).")
def init_command(admin_email: str | None, admin_password: str | None) -> None:
    """Install or upgrade: migrate, load the reference data, optionally create the first administrator.

    Idempotent: run it on every upgrade.
    """
    from registry.services.errors import DomainError

    report = InstallReport()
    report.revision = migrate()
    click.echo(f"database at migration {report.revision}")
    load_reference_data(report)
    click.echo(f"jurisdictions added: {report.jurisdictions_added}, industries added: {report.industries_added}, "
               f"indicators added: {report.indicators_added}")
    check_settings(report)
    click.echo(f"settings: {report.settings_declared} declared, {report.settings_stored} changed by an administrator")
    for problem in report.settings_invalid:
        click.echo(f"  setting no longer valid (fix it on the settings page): {problem}", err=True)
    if admin_email:
        try:
            report.admin = ensure_admin(admin_email, admin_password, lambda: click.prompt(
                "Password for the new administrator", hide_input=True, confirmation_prompt=True))
        except DomainError as exc:
            details = "; ".join(m for msgs in (getattr(exc, "errors", None) or {}).values() for m in msgs)
            raise click.ClickException(details or exc.message) from exc
        click.echo(f"administrator {admin_email}: {'created' if report.admin == 'created' else 'already exists'}")
