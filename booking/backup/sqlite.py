"""SQLite: copy through the online backup API, so a backup taken while the app writes is consistent.

``Connection.backup`` copies every page inside one read transaction: a write committed meanwhile is
either wholly in the copy or wholly out of it, and the writers are not stopped (WAL mode). A restore
copies the backup into the configured file the same way, then checks it.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from booking.backup.target import BackupError


def database_file(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _copy(source: Path, destination: Path) -> None:
    with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
        src.backup(dst)
        (result,) = dst.execute("PRAGMA quick_check").fetchone()
    src.close()
    dst.close()
    if result != "ok":
        raise BackupError(f"The copy in {destination} failed its integrity check: {result}")


def create(url: str, path: Path) -> None:
    source = database_file(url)
    if not source.exists():
        raise BackupError(f"There is no database at {source}.")
    _copy(source, path)


def restore(path: Path, url: str) -> None:
    try:
        with sqlite3.connect(path) as check:
            check.execute("SELECT version_num FROM alembic_version").fetchone()
        check.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a backup of this app's SQLite database ({error}).") from None
    _copy(path, database_file(url))
