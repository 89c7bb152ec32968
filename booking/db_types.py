"""Column types shared by every domain."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores an instant as naive UTC on every database and hands back aware UTC.

    Refusing naive input here means no local wall-clock time can slip into storage.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs an aware datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


class UtcNow(FunctionElement):
    """The database's current time as naive UTC, like UTCDateTime stores it: for server defaults.

    ``now()`` alone would not do: a PostgreSQL ``timestamp`` column gets the session's local time.
    """

    type = DateTime()
    inherit_cache = True


@compiles(UtcNow)
def _utc_now_standard(element, compiler, **kw) -> str:
    return "CURRENT_TIMESTAMP"  # UTC on SQLite, the other backend


@compiles(UtcNow, "postgresql")
def _utc_now_postgresql(element, compiler, **kw) -> str:
    return "timezone('utc', now())"
