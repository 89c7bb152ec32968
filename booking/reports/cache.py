"""The reports' GROUP BY results kept between requests, under a key that changes whenever they could.

A report is computed from the bookings and a few small tables (resources, schools, bell periods,
visiting teachers' home schools, terms, closures, make-up days, opening hours, blackouts). ``pinned``
reads a *data version* of them once per report:

- bookings: count, largest id, sum of ``sequence`` (the rows' version counter: an ORM update, an
  approval's expiry or a check-in adds one), latest ``updated_at``, a sum over the outcomes weighted by
  id (an outcome is recorded by a bare UPDATE that leaves ``sequence`` alone), and how many have ended
  by the report's "now" (a booking ending moves hours from planned to delivered). An insert, a delete
  or a change of a booking changes one of them, whichever process wrote it;
- the small tables: a digest of their rows.

Cached: the GROUP BYs over the bookings (``queries``) and the teaching and opening hours of each
resource (``utilisation.capacity``), which otherwise cost more than the queries and change only when
those tables do. Each result is stored under (what, range, category, stage, school, district, data version), so a result
is never served after a write that could change it: the next request reads another version and
computes afresh. Results do not depend on the viewer (rows are hidden after, in Python). Kept in the
process, the last ``MAX_ENTRIES`` results; ``clear()`` empties it (the benchmark's cold runs).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import replace
from functools import wraps

from sqlalchemy import case, func, select

from booking.bookings.models import Booking, BookingOutcome, ResourceBlackout
from booking.extensions import db
from booking.reports.filters import ReportFilter
from booking.resources.models import OpeningHours, Resource
from booking.schools.models import BellPeriod, Closure, MakeupDay, School, Term
from booking.teachers.models import TeacherProfile

MAX_ENTRIES = 64
_store: OrderedDict = OrderedDict()
_lock = threading.Lock()

# Every row of the small tables a report reads besides the bookings: what resources and schools there
# are, bell periods, visiting teachers' home schools, and what makes teaching and opening hours (terms,
# closures, make-up days, opening hours, blackouts). Whole rows, so no column can be forgotten.
SMALL_TABLES = (Resource, School, BellPeriod, TeacherProfile, Term, Closure, MakeupDay, OpeningHours,
                ResourceBlackout)


def bookings_version(cut) -> tuple:
    """The bookings' version (see above) as of ``cut``: one aggregate over the table, no join."""
    outcome = case((Booking.outcome == BookingOutcome.USED, Booking.id),
                   (Booking.outcome == BookingOutcome.NO_SHOW, -Booking.id), else_=0)
    row = db.session.execute(select(func.count(), func.max(Booking.id), func.sum(Booking.sequence),
                                    func.max(Booking.updated_at), func.sum(outcome),
                                    func.sum(case((Booking.ends_at <= cut, 1), else_=0)))).one()
    return tuple(value if value is not None else 0 for value in row)


def tables_digest() -> str:
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


def _key(name: str, report_filter: ReportFilter) -> tuple:
    report_range = report_filter.range
    return (name, report_range.first, report_range.last, str(report_range.zone), report_filter.category,
            report_filter.stage, report_filter.school_id, report_filter.district_id, report_filter.version)


def cached(compute):
    """``compute(report_filter)`` served from the cache when the filter is ``pinned``; computed otherwise."""
    @wraps(compute)
    def wrapper(report_filter: ReportFilter):
        if report_filter.version is None:
            return compute(report_filter)
        key = _key(compute.__name__, report_filter)
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


def clear() -> None:
    with _lock:
        _store.clear()
