"""``flask --app registry workflows ...``: act on an application through the engine, enter holidays, check the chain."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from registry.services.errors import DomainError

workflows_cli = AppGroup("workflows", help="Applications and workflow housekeeping.")


@workflows_cli.command("act")
@click.argument("application_id", type=int)
@click.argument("action")
@click.option("--as", "email", default=None, help="Acting user's e-mail (omit: the system).")
@click.option("--reason", default=None)
@click.option("--version", type=int, default=None)
def act_command(application_id, action, email, reason, version):
    """Apply ACTION to an application through the same engine pages and the API use."""
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import User
    from workflows import engine

    user = db.session.scalar(select(User).where(User.email == email)) if email else None
    if email and user is None:
        raise click.ClickException("no such user")
    try:
        outcome = engine.apply(application_id, action, user, reason=reason, version=version)
    except DomainError as exc:
        raise click.ClickException(f"{type(exc).__name__}: {exc.message}") from exc
    click.echo(f"application {outcome.application_id}: {outcome.stage} / {outcome.status} (v{outcome.version})")


@workflows_cli.command("holiday")
@click.argument("day")
@click.option("--workday", is_flag=True, help="A make-up working day （调休上班） instead of a holiday.")
@click.option("--note", default=None)
def holiday_command(day, workday, note):
    """Enter a holiday or make-up working day (for years chinese-calendar does not know yet)."""
    from workflows.services.holidays import set_day

    try:
        parsed = date.fromisoformat(day)
    except ValueError as exc:
        raise click.ClickException("day must be YYYY-MM-DD") from exc
    set_day(parsed, workday, note)
    click.echo(f"{parsed}: {'working day' if workday else 'holiday'}")


@workflows_cli.command("verify-chain")
def verify_chain_command():
    """Walk the history chain and report any break (exit status 1 when broken). ``flask verify-chain`` checks the
    security audit chain too."""
    from workflows import chain

    problems = chain.verify()
    for problem in problems:
        click.echo(problem)
    if problems:
        raise SystemExit(1)
    click.echo("history chain intact")


@workflows_cli.command("check")
@click.option("--outbox-may-wait", is_flag=True, help="Do not count outbox rows still pending or sending "
                                                      "(the worker is still delivering).")
def check_command(outbox_may_wait):
    """Check what must hold of the workflow data at a quiet moment (after a load run, after a restore): legal
    states with history agreeing, the history chain, notifications tied to their history, no outbox row left
    behind. Exit status 1 when anything is wrong."""
    from workflows.services import invariants

    problems = invariants.check(outbox_drained=not outbox_may_wait)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise SystemExit(1)
    click.echo("workflow data consistent")
