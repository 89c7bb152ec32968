"""Serialised VEVENT blocks kept between fetches, so a feed is mostly joined, not rebuilt.

An entry is used only when its fingerprint equals the event's (see ical.fingerprint), so a stale
block is never served. Writing is best-effort: a feed is still answered if the write fails
(two workers racing, a locked SQLite file).
"""
from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import datetime
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import ARRAY, Integer, any_, bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from booking.bookings.models import Booking, BookingSeries
from booking.calendars.ical import SeriesEvent, SingleEvent, event_block, fingerprint
from booking.calendars.models import FeedEventCache
from booking.extensions import db

log = logging.getLogger(__name__)


def one_of(column, ids: list[int]):
    """``column`` is one of ``ids``, as one bound array: ``= ANY(:ids)`` on PostgreSQL, ``IN (SELECT value
    FROM json_each(:ids))`` on SQLite. One parameter, one index probe per id, whatever the count."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    each = func.json_each(json.dumps(ids)).table_valued("value")
    return column.in_(select(each.c.value))


def _cached(keys: list[tuple]) -> dict[tuple, tuple[str, str]]:
    """The stored (fingerprint, block) of ``keys``: one query per (entity, detail), e.g. two for a feed."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for entity, entity_id, detail in keys:
        groups[(entity, detail)].append(entity_id)
    found = {}
    for (entity, detail), ids in groups.items():
        rows = db.session.execute(
            select(FeedEventCache.entity_id, FeedEventCache.fingerprint, FeedEventCache.block)
            .where(FeedEventCache.entity == entity, FeedEventCache.detail == detail,
                   one_of(FeedEventCache.entity_id, ids)))
        for entity_id, digest, block in rows:
            found[(entity, entity_id, detail)] = (digest, block)
    return found


def _upsert(entries: list[dict]) -> None:
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(FeedEventCache)
    statement = statement.on_conflict_do_update(
        index_elements=["entity", "entity_id", "detail"],
        set_={"fingerprint": statement.excluded.fingerprint, "block": statement.excluded.block})
    db.session.execute(statement, entries)


def prune(before: datetime) -> None:
    """Forget the blocks of bookings and series that ended before ``before``: no feed shows them."""
    ended_bookings = select(Booking.id).where(Booking.ends_at < before)
    ended_series = select(BookingSeries.id).where(BookingSeries.until < before)
    db.session.execute(delete(FeedEventCache).where(
        FeedEventCache.entity == "booking", FeedEventCache.entity_id.in_(ended_bookings)))
    db.session.execute(delete(FeedEventCache).where(
        FeedEventCache.entity == "series", FeedEventCache.entity_id.in_(ended_series)))


def _store(entries: list[dict], prune_before: datetime | None) -> None:
    """Keep the blocks built for this feed. A cache, not a state change: it commits on its own, so a
    failure to store it never fails the feed (the request has nothing else to commit)."""
    try:
        if entries:
            _upsert(entries)
        if prune_before is not None:
            prune(prune_before)
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        log.warning("Calendar block cache not written; the feed was served anyway.", exc_info=True)


def built_blocks(events: Iterable[SingleEvent | SeriesEvent], zone: ZoneInfo) -> tuple[list[str], list[dict]]:
    """Each event's block, from the cache when its fingerprint matches, else built; and the built ones as
    entries to ``store``."""
    events = list(events)
    cached = _cached([event.source for event in events])
    blocks, misses = [], {}
    for event in events:
        digest = fingerprint(event, zone)
        hit = cached.get(event.source)
        if hit is not None and hit[0] == digest:
            blocks.append(hit[1])
            continue
        block = event_block(event, zone)
        blocks.append(block)
        entity, entity_id, detail = event.source
        misses[event.source] = {"entity": entity, "entity_id": entity_id, "detail": detail,
                                "fingerprint": digest, "block": block}
    return blocks, list(misses.values())


def store(entries: list[dict], prune_before: datetime | None = None) -> None:
    """Keep built blocks (and, with ``prune_before``, forget the blocks of what ended before it)."""
    if entries or prune_before is not None:
        _store(entries, prune_before)


def blocks_for(events: Iterable[SingleEvent | SeriesEvent], zone: ZoneInfo, prune_before: datetime) -> list[str]:
    """Each event's block, from the cache when its fingerprint matches, else built and stored."""
    blocks, entries = built_blocks(events, zone)
    if entries:
        _store(entries, prune_before)
    return blocks
