"""Per-connection settings that make SQLite behave like the database we promise, and the text check
that makes both databases refuse the same strings."""
from __future__ import annotations

from sqlalchemy import Enum as SQLEnum
from sqlalchemy import String, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from booking.validation import ValidationFailed, has_unstorable_character, too_long_message, unstorable_text_message


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # Only SQLite connections: foreign keys on, WAL so readers do not block the writer, synchronous=NORMAL
    # (what SQLite advises with WAL: a commit no longer waits for the disk, a crash can lose the last
    # commits but never corrupts the file), and a busy timeout so concurrent writers wait instead of failing.
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@event.listens_for(Session, "before_flush")
def _refuse_unstorable_text(session, flush_context, instances):
    """Every text written is checked against its column, on both databases alike.

    PostgreSQL refuses a NUL, a lone surrogate cannot be encoded for either database, and SQLite
    would silently keep a string longer than its column that PostgreSQL refuses: each would be a
    500 wherever a form or the API forgot a limit. Here it is a ValidationFailed naming the column,
    raised before anything is sent, so the caller shows it as a field error.
    """
    errors: dict = {}
    for record in (*session.new, *session.dirty):
        state = inspect(record)
        for attribute in state.mapper.column_attrs:
            value = state.dict.get(attribute.key)
            # state.pending, not ``record in session.new``: that builds a set of every new object each
            # time, which made a flush of N new rows cost N² (a 5,000-row import spent 14 s here).
            if not isinstance(value, str) or (not state.pending and not state.attrs[attribute.key].history.has_changes()):
                continue
            error = text_column_error(attribute.columns[0].type, value)
            if error is not None:
                errors[attribute.key] = error
    if errors:
        raise ValidationFailed(errors)


def text_column_error(column_type, value: str):
    """Why ``value`` cannot be stored in a column of ``column_type``, or None."""
    if not isinstance(column_type, String) or isinstance(column_type, SQLEnum):
        return None
    if has_unstorable_character(value):
        return unstorable_text_message()
    if column_type.length is not None and len(value) > column_type.length:
        return too_long_message(column_type.length)
    return None
