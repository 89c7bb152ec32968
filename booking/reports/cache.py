"""The reports' GROUP BY results kept between requests, under a key that changes whenever they could.

A report is computed from the bookings and a few small tables (resources, schools, bell periods,
visiting teachers' home schools, terms, closures, make-up days, opening hours, blackouts). ``pinned``
reads a *data version* of them once per report:

- bookings: the district's change counter (``feed_revisions``, raised by the database at the commit of
  every INSERT, UPDATE or DELETE of bookings and series, whoever writes them: migrations 0010f, 0011d),
  the largest id and latest ``updated_at`` (so a counter that went back, a restored backup, cannot meet
  an old entry again), and the latest end at or before the report's "now" (a booking ending moves hours
  from planned to delivered, and makes that latest end move). Index lookups only: no scan of the bookings;
- the small tables: a digest of their rows.

Cached: the GROUP BYs over the bookings (``queries``) and the teaching and opening hours of each
resource (``utilisation.capacity``), which otherwise cost more than the queries and change only when
those tables do (so they are kept under the tables' digest alone, ``cached_on_tables``: a booking
written does not make them again). Each result is stored under (what, range, category, stage, school,
district, data version), so a result is never served after a write that could change it: the next request reads
another version and computes afresh. Results do not depend on the viewer (rows are hidden after, in Python). Kept in the
process, the last ``MAX_ENTRIES`` results; ``clear()`` empties it (the benchmark's cold runs).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace
from functools import wraps

from sqlalchemy import Index, func, select, text

from booking.bookings.models import Booking, ResourceBlackout
from booking.calendars.models import FeedRevision
from booking.extensions import db
from booking.reports.filters import ReportFilter
from booking.resources.models import OpeningHours, Resource
from booking.schools.models import BellPeriod, Closure, MakeupDay, School, Term
from booking.teachers.models import TeacherProfile

MAX_ENTRIES = 64
# The latest end at or before "now" (``bookings_version``) is a lookup in this index (migration 0011d).
Index("ix_bookings_ends_at", Booking.ends_at)
_store: OrderedDict = OrderedDict()
_lock = threading.Lock()

# Every row of the small tables a report reads besides the bookings: what resources and schools there
# are, bell periods, visiting teachers' home schools, and what makes teaching and opening hours (terms,
# closures, make-up days, opening hours, blackouts). Whole rows, so no column can be forgotten.
SMALL_TABLES = (Resource, School, BellPeriod, TeacherProfile, Term, Closure, MakeupDay, OpeningHours,
                ResourceBlackout)


def bookings_version(cut) -> tuple:
    """The bookings' version (see above) as of ``cut``: one statement of index lookups."""
    counter = select(FeedRevision.counter).where(FeedRevision.scope == "district").scalar_subquery()
    latest_end = select(func.max(Booking.ends_at)).where(Booking.ends_at <= cut).scalar_subquery()
    latest = [select(func.max(column)).scalar_subquery() for column in (Booking.id, Booking.updated_at)]
    row = db.session.execute(select(counter, *latest, latest_end)).one()
    return tuple(value if value is not None else 0 for value in row)


def _postgresql_digest() -> str:
    """Every row of each small table as PostgreSQL writes it, hashed in the database: one statement, only the
    hashes come back."""
    hashes = []
    for model in SMALL_TABLES:
        table = model.__table__
        order = ", ".join(f"t.{column.name}" for column in table.primary_key.columns)
        hashes.append(f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY {order}), '')) FROM {table.name} t)")
    return db.session.execute(text("SELECT " + " || ".join(hashes))).scalar_one()


def tables_digest() -> str:
    if db.session.get_bind().dialect.name == "postgresql":
        return _postgresql_digest()
    digest = hashlib.blake2b(digest_size=16)
    for model in SMALL_TABLES:
        table = model.__table__
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
        digest.update(b"|")
    return digest.hexdigest()


def data_version(cut) -> tuple:
    return (*bookings_version(cut), tables_digest())


def pinned(report_filter: ReportFilter) -> ReportFilter:
    """The filter with its data version read (once), so every query of the report may be served from the cache."""
    if report_filter.version is not None:
        return report_filter
    return replace(report_filter, now=report_filter.cut, version=data_version(report_filter.cut))


def _key(name: str, report_filter: ReportFilter, version) -> tuple:
    report_range = report_filter.range
    return (name, report_range.first, report_range.last, str(report_range.zone), report_filter.category,
            report_filter.stage, report_filter.school_id, report_filter.district_id, version)


def _cached(compute, version_of):
    @wraps(compute)
    def wrapper(report_filter: ReportFilter):
        if report_filter.version is None:
            return compute(report_filter)
        key = _key(compute.__name__, report_filter, version_of(report_filter.version))
        with _lock:
            if key in _store:
                _store.move_to_end(key)
                return _store[key]
        result = compute(report_filter)
        with _lock:
            _store[key] = result
            while len(_store) > MAX_ENTRIES:
                _store.popitem(last=False)
        return result

    return wrapper


def cached(compute):
    """``compute(report_filter)`` served from the cache when the filter is ``pinned``; computed otherwise."""
    return _cached(compute, lambda version: version)


def cached_on_tables(compute):
    """``cached`` for what is made from the small tables alone, never from the bookings: kept under their
    digest, so a booking written does not make it again (teaching and opening hours)."""
    return _cached(compute, lambda version: version[-1])


def clear() -> None:
    with _lock:
        _store.clear()
