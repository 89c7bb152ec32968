"""Where backups go by default, and the one check before a restore: the database must be empty."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from booking.clock import utcnow

SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".dump"}


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why (the CLI prints it)."""


def default_path(instance_path: str, dialect: str) -> Path:
    """``instance/backups/district-20261201-223000.sqlite3`` (UTC; PostgreSQL: ``.dump``)."""
    return Path(instance_path) / "backups" / f"district-{utcnow():%Y%m%d-%H%M%S}{SUFFIXES[dialect]}"


def new_file(path: Path) -> Path:
    """``path`` ready to be written: its folder made, never an existing file overwritten."""
    if path.exists():
        raise BackupError(f"{path} exists already; choose a new file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def require_empty(engine: Engine) -> None:
    """A restore goes into a database without tables (not even migrated): it brings its own schema."""
    tables = inspect(engine).get_table_names()
    if tables:
        raise BackupError(f"The database is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}): "
                          "restore only into a new, empty database.")


def dialect_of(engine: Engine) -> str:
    name = engine.dialect.name
    if name not in SUFFIXES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name
