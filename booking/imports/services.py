"""All-or-nothing CSV imports: every row is checked first; one bad row and nothing is saved.

Each kind of import (schools, resources, users) supplies its columns and a ``stage`` function
that checks the rows with the domain's own rules and, only when all are good, adds the new
records to the session. ``run_import`` then writes one audit entry and commits once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from booking.accounts.services import new_initial_password

from booking.audit.services import record
from booking.extensions import db
from booking.imports.csvfile import Column, read_table
from booking.imports.rows import RowError


@dataclass
class Staged:
    """What a kind's ``stage`` made of the rows: errors, or records added to the session."""

    errors: list[RowError] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # codes, emails or names of the staged records
    generated_passwords: list[tuple[str, str, str]] = field(default_factory=list)  # (email, name, password)


def _no_progress(done: int) -> None:
    return None


@dataclass(frozen=True)
class ImportContext:
    """How a stage reports progress and gets a generated password (a background job derives them)."""

    password_for: Callable[[str], str] = field(default=lambda email: new_initial_password())
    progress: Callable[[int], None] = _no_progress  # steps done so far (see ImportKind.steps)


@dataclass(frozen=True)
class ImportKind:
    key: str  # "schools", "resources", "users": the URL part and the audit action
    title: object  # a lazy, translated string
    columns: tuple[Column, ...]
    example: dict[str, str]  # one example row (in Chinese) for the template file
    stage: Callable[..., Staged]  # (rows, actor, context): the actor's scope limits what a row may add
    steps_per_row: int = 1  # progress steps a row takes (users: checked, then hashed)

    def steps(self, rows: int) -> int:
        return rows * self.steps_per_row

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]

    def example_row(self) -> list[str]:
        return [self.example.get(name, "") for name in self.header]


def run_import(kind: ImportKind, data: bytes, filename: str, actor, max_rows: int,
               context: ImportContext | None = None) -> Staged:
    """Import a whole file or none of it. Raises ``FileRejected`` for a file that cannot be read.

    Returns the staging result: with ``errors`` nothing was saved; without, all rows were (flushed,
    not committed: the caller's unit of work commits).
    """
    rows = read_table(data, filename, kind.columns, max_rows)
    try:
        staged = kind.stage(rows, actor, context or ImportContext())
        if staged.errors:
            order = {name: index for index, name in enumerate(kind.header)}
            staged.errors.sort(key=lambda error: (error.row, order.get(error.column, -1)))
            db.session.rollback()  # a staging step may have flushed earlier rows; none of them stays
            return staged
        record(actor, f"import.{kind.key}", ("Import", None),
               {"file": filename, "count": len(staged.keys), "keys": staged.keys})
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise
    return staged
