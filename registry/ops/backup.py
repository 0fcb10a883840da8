"""Backup and restore (``flask --app registry backup create|restore DIR``).

A backup folder holds the database (PostgreSQL: ``pg_dump`` custom format, one consistent snapshot; SQLite: the
online backup API, safe while the app writes), the uploaded files and exports (``UPLOAD_DIR``, ``EXPORT_DIR``), and
``manifest.json``: when, from which migration revision and backend, every table's row count, and the sha256 of
every file. The database is dumped first and the files copied after: uploads are written once under new names,
so every file a row of the dump names is in the copy (a file uploaded meanwhile is an unreferenced extra).

Restore goes into an empty database and empty upload/export folders only, after checking every file against the
manifest and the manifest's revision against this release's newest migration.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import make_url

from registry.clock import now as clock_now
from registry.extensions import db

MANIFEST = "manifest.json"
FORMAT = 1
PG_DUMP_FILE = "database.pgdump"
SQLITE_FILE = "database.sqlite"
FILE_ROOTS = {"uploads": "UPLOAD_DIR", "exports": "EXPORT_DIR"}


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, for the operator."""


@dataclass
class Outcome:
    folder: Path
    revision: str | None
    tables: dict[str, int]
    files: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _backend() -> str:
    return db.engine.dialect.name  # "postgresql" or "sqlite"


def _libpq() -> tuple[str, dict]:
    """The database URL as pg_dump and pg_restore take it (no driver suffix, no password) and their environment
    (the password in PGPASSWORD: a command line is visible to every local user)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(password=None).render_as_string(hide_password=False), env


def _sqlite_path() -> str:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database


def current_revision() -> str | None:
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def code_revision() -> str | None:
    """The newest migration this release ships."""
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory)).get_current_head()


def table_counts() -> dict[str, int]:
    tables = {}
    with db.engine.connect() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            table = db.metadata.tables.get(name)
            if table is None:
                from sqlalchemy import table as bare_table

                table = bare_table(name)
            tables[name] = conn.execute(select(func.count()).select_from(table)).scalar_one()
    return tables


def _run(args: list[str], what: str, env: dict | None = None) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode:
        raise BackupError(f"{what} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


# ---- create ---------------------------------------------------------------------------------------------------

def create(folder: str | os.PathLike) -> Outcome:
    target = Path(folder)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new or empty folder")
    target.mkdir(parents=True, exist_ok=True)
    revision = current_revision()
    tables = table_counts()
    db.session.remove()
    if _backend() == "postgresql":
        url, env = _libpq()
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target / PG_DUMP_FILE),
              "--dbname", url], "pg_dump", env)
        database = PG_DUMP_FILE
    else:
        source = sqlite3.connect(_sqlite_path())
        copy = sqlite3.connect(target / SQLITE_FILE)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        database = SQLITE_FILE
    for name, setting in FILE_ROOTS.items():
        root = Path(current_app.config[setting])
        if root.is_dir():
            shutil.copytree(root, target / "files" / name, dirs_exist_ok=True)
    files = {str(p.relative_to(target)): sha256_of(p) for p in _files_under(target)}
    manifest = {"format": FORMAT, "created_at": clock_now().isoformat(), "revision": revision,
                "backend": _backend(), "database": database, "tables": tables, "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True))
    return Outcome(target, revision, tables, len(files))


# ---- restore --------------------------------------------------------------------------------------------------

def read_checked(folder: Path) -> dict:
    """The manifest, once every file it lists is present with its sha256 and no file was added."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} has no {MANIFEST}: not a backup")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    listed = manifest.get("files") or {}
    for name, expected in sorted(listed.items()):
        file = folder / name
        if not file.is_file():
            raise BackupError(f"file missing from the backup: {name}")
        if sha256_of(file) != expected:
            raise BackupError(f"file changed since the backup was made (sha256 differs): {name}")
    present = {str(p.relative_to(folder)) for p in _files_under(folder)} - {MANIFEST}
    extra = sorted(present - set(listed))
    if extra:
        raise BackupError(f"file not in the manifest: {extra[0]}")
    if manifest.get("database") not in listed:
        raise BackupError("the manifest names no database file")
    return manifest


def _require_empty_target() -> None:
    with db.engine.connect() as conn:
        existing = [t for t in inspect(conn).get_table_names()]
    if existing:
        raise BackupError(f"the database is not empty ({len(existing)} tables, e.g. {existing[0]}): "
                          "restore goes into a new, empty database")
    for setting in FILE_ROOTS.values():
        root = Path(current_app.config[setting])
        if root.is_dir() and any(root.iterdir()):
            raise BackupError(f"{setting} {root} is not empty: restore goes into an empty instance folder")


def restore(folder: str | os.PathLike) -> Outcome:
    source = Path(folder)
    manifest = read_checked(source)
    wanted = code_revision()
    if manifest.get("revision") != wanted:
        raise BackupError(f"the backup is at migration revision {manifest.get('revision')!r}, this release at "
                          f"{wanted!r}: restore it with the release that made it, then upgrade (flask init)")
    if manifest.get("backend") != _backend():
        raise BackupError(f"the backup is of a {manifest.get('backend')} database, the configured one is "
                          f"{_backend()}")
    db.session.remove()
    _require_empty_target()
    database = source / manifest["database"]
    if _backend() == "postgresql":
        db.engine.dispose()
        url, env = _libpq()
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", url, str(database)], "pg_restore", env)
    else:
        db.engine.dispose()
        backup = sqlite3.connect(database)
        into = sqlite3.connect(_sqlite_path())
        try:
            with into:
                backup.backup(into)
        finally:
            into.close()
            backup.close()
    for name, setting in FILE_ROOTS.items():
        copied = source / "files" / name
        if copied.is_dir():
            shutil.copytree(copied, current_app.config[setting], dirs_exist_ok=True)
    tables = table_counts()
    differing = {t: (n, tables.get(t)) for t, n in manifest["tables"].items() if tables.get(t) != n}
    if differing:
        name, (expected, found) = next(iter(differing.items()))
        raise BackupError(f"restored table {name} has {found} rows, the backup {expected}")
    return Outcome(source, manifest["revision"], tables, len(manifest["files"]))
