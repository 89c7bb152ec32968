"""The one clock of the application. Tests freeze it; nothing else calls datetime.now()."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timezone

_frozen: datetime | None = None


def utcnow() -> datetime:
    """The current instant as an aware UTC datetime."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def freeze(instant: datetime | None) -> None:
    """Stop the clock at ``instant`` (aware), or let it run again with ``None``."""
    global _frozen
    if instant is not None and instant.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    _frozen = instant.astimezone(timezone.utc) if instant is not None else None


@contextmanager
def frozen_at(instant: datetime):
    previous = _frozen
    freeze(instant)
    try:
        yield instant
    finally:
        freeze(previous)
