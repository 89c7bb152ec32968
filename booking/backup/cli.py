"""``flask --app wsgi backup create [PATH]`` and ``flask --app wsgi backup restore PATH``.

Both use the configured database (DATABASE_URL). ``create`` writes a new file (by default under
``instance/backups/``) and prints its name; ``restore`` refuses unless the database is empty.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from booking.backup import postgres, sqlite
from booking.backup.target import BackupError, default_path, dialect_of, new_file, require_empty
from booking.extensions import db

backup_cli = AppGroup("backup", help="Back up the database, or restore a backup into an empty database.")
BACKENDS = {"sqlite": sqlite, "postgresql": postgres}


def _url() -> str:
    return db.engine.url.render_as_string(hide_password=False)


@backup_cli.command("create")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
def create_command(path: Path | None):
    """Write a consistent backup of the database to PATH (default: instance/backups/district-<time>)."""
    try:
        dialect = dialect_of(db.engine)
        path = new_file(path or default_path(current_app.instance_path, dialect))
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    try:
        BACKENDS[dialect].create(_url(), path)
    except BackupError as error:
        path.unlink(missing_ok=True)  # no half-written file that looks like a backup
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {path}")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(path: Path):
    """Restore the backup at PATH into the configured database, which must be empty."""
    try:
        dialect = dialect_of(db.engine)
        require_empty(db.engine)
        db.engine.dispose()  # no connection of ours holds the database while it is written
        BACKENDS[dialect].restore(path, _url())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {path}")
