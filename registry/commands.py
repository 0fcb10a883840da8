"""The admin CLI: ``flask --app registry <command>``."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from registry.services.errors import DomainError

users_cli = AppGroup("users", help="Manage accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(["enterprise", "town", "bureau", "expert", "admin", "certifier"]))
@click.option("--password", required=True)
@click.option("--name", "display_name", default=None)
@click.option("--enterprise", "enterprise_uscc", default=None, help="USCC of the enterprise (role enterprise).")
@click.option("--jurisdiction", "jurisdiction_code", default=None, help="Division code (role town).")
@click.option("--body", "body_code", default=None, help="Certification body code (role certifier).")
@click.option("--must-change-password", is_flag=True, help="The user must choose a new password at first sign-in.")
def create_user_command(email, role, password, display_name, enterprise_uscc, jurisdiction_code, body_code,
                        must_change_password):
    """Create an account."""
    from registry.services.accounts import create_user

    try:
        user = create_user(email, role, password, display_name, enterprise_uscc, jurisdiction_code,
                           must_change_password=must_change_password, body_code=body_code)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"created user {user.id} {user.email} ({user.role})")


@users_cli.command("token")
@click.argument("email")
@click.option("--label", "--name", "label", default="cli", help="The token's name.")
@click.option("--days", type=int, default=None, help="Lifetime in days (default API_TOKEN_DAYS, 90).")
def token_command(email, label, days):
    """Print a new API token for the account."""
    from sqlalchemy import func, select

    from registry.auth.tokens import issue_token
    from registry.extensions import db
    from registry.models import User
    from registry.services.api_tokens import clean_days

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no such user: {email}")
    try:
        days = clean_days(days)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(issue_token(user, label, days))


@users_cli.command("revoke-tokens")
@click.argument("email")
def revoke_tokens_command(email):
    """Revoke every API token of the account."""
    from registry.services.api_tokens import revoke_all_of

    try:
        count = revoke_all_of(email)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"revoked {count} token(s) of {email}")


@click.command("seed-catalogues")
def seed_catalogues_command():
    """Add the jurisdictions and industries of domain.md (idempotent)."""
    from registry.seeds.catalogues import seed_catalogues

    j, i = seed_catalogues()
    click.echo(f"jurisdictions added: {j}, industries added: {i}")


def register(app: Flask) -> None:
    from registry.command_modules import COMMANDS

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_catalogues_command)
    for command in COMMANDS():
        app.cli.add_command(command)
