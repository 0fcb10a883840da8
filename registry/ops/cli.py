"""``flask --app registry backup create|restore DIR`` (registry/ops/backup.py)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

backup_cli = AppGroup("backup", help="Back up and restore the database, uploads and exports.")


@backup_cli.command("create")
@click.argument("folder", type=click.Path(file_okay=False))
def create_command(folder):
    """Write a backup into FOLDER (new or empty): database, uploads, exports and manifest.json."""
    from registry.ops import backup

    try:
        outcome = backup.create(folder)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {outcome.folder}: revision {outcome.revision}, {len(outcome.tables)} tables, "
               f"{sum(outcome.tables.values())} rows, {outcome.files} files")


@backup_cli.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def restore_command(folder):
    """Restore the backup in FOLDER into the configured (empty) database and instance folders."""
    from registry.ops import backup

    try:
        outcome = backup.restore(folder)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {outcome.folder}: revision {outcome.revision}, {len(outcome.tables)} tables, "
               f"{sum(outcome.tables.values())} rows, {outcome.files} files; check it: "
               "flask --app registry workflows verify-chain")
