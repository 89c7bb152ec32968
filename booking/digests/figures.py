"""The facts digests report, read from the database as of a digest's cut.

District and school figures come from the reports' services (``booking.reports``): the same
numbers as the dashboard, never recomputed here. ``DigestRun`` keeps them for one run, so a
district with many coordinators or a school with several admins is queried once, and every
recipient's digest is formatted in their own language from the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingOutcome, BookingStatus
from booking.extensions import db
from booking.reports.access import Access, Flows, access, flows
from booking.reports.filters import FALLBACK_DAYS, ReportFilter, Viewer, default_term
from booking.reports.timeframe import ReportRange
from booking.reports.utilisation import Utilisation, utilisation
from booking.resources.models import Resource

WAITING_LONG = timedelta(hours=24)
DISTRICT_VIEWER = Viewer(user_id=0, school_id=None, coordinator=True)


def _with_details(query):
    return query.options(selectinload(Booking.resource).selectinload(Resource.owner_school),
                         selectinload(Booking.school), selectinload(Booking.booked_by))


def bookings_of(user_id: int, span: ReportRange) -> list[Booking]:
    """The user's active bookings (confirmed or waiting for approval) starting in ``span``."""
    query = (select(Booking).where(Booking.booked_by_id == user_id, Booking.status.in_(ACTIVE_STATUSES),
                                   Booking.starts_at >= span.start, Booking.starts_at < span.end)
             .order_by(Booking.starts_at, Booking.id))
    return list(db.session.scalars(_with_details(query)))


def changed_bookings(user_id: int, since: datetime, cut: datetime) -> list[Booking]:
    """The user's bookings still to come at ``cut`` that changed in (since, cut]: moved, edited,
    approved, rejected, expired or cancelled. New bookings (sequence 0) are not changes."""
    query = (select(Booking).where(Booking.booked_by_id == user_id, Booking.sequence > 0,
                                   Booking.updated_at > since, Booking.updated_at <= cut, Booking.starts_at > cut)
             .order_by(Booking.starts_at, Booking.id))
    return list(db.session.scalars(_with_details(query)))


def waiting_requests(cut: datetime, owner_school_id: int | None = None,
                     waiting_since: datetime | None = None) -> list[Booking]:
    """Requests still waiting at ``cut`` (not yet started); of one owner school's resources, and
    made at or before ``waiting_since``, when given."""
    query = (select(Booking).join(Booking.resource)
             .where(Booking.status == BookingStatus.PENDING, Booking.starts_at > cut, Booking.created_at <= cut)
             .order_by(Booking.created_at, Booking.id))
    if owner_school_id is not None:
        query = query.where(Resource.owner_school_id == owner_school_id)
    if waiting_since is not None:
        query = query.where(Booking.created_at <= waiting_since)
    return list(db.session.scalars(_with_details(query)))


def no_shows(span: ReportRange) -> list[Booking]:
    # Released bookings are cancelled and still no-shows.
    query = (select(Booking).where(Booking.status.in_((BookingStatus.CONFIRMED, BookingStatus.CANCELLED)),
                                   Booking.outcome == BookingOutcome.NO_SHOW,
                                   Booking.starts_at >= span.start, Booking.starts_at < span.end)
             .order_by(Booking.starts_at, Booking.id))
    return list(db.session.scalars(_with_details(query)))


def term_to_date(last: date) -> tuple[date, date]:
    """The running term up to ``last`` (equity needs more than a day); the last four weeks without one."""
    term = default_term(last)
    if term is not None and term.start_date <= last:
        return term.start_date, min(term.end_date, last)
    return last - timedelta(days=FALLBACK_DAYS - 1), last


@dataclass(frozen=True)
class DistrictFigures:
    usage: Utilisation  # the past window, by category
    access: Access  # the past window, by booking school
    equity: Access  # the term to date
    equity_span: tuple[date, date]
    no_shows: list[Booking]
    waiting_long: list[Booking]  # requests waiting more than WAITING_LONG


@dataclass
class DigestRun:
    """One digest run's cut, zone and the figures shared by its recipients."""

    cut: datetime
    zone: ZoneInfo
    _district: dict = field(default_factory=dict)
    _schools: dict = field(default_factory=dict)
    _waiting: dict = field(default_factory=dict)

    def span(self, first: date, last: date) -> ReportRange:
        return ReportRange(first, last, self.zone)

    def district(self, past: tuple[date, date]) -> DistrictFigures:
        if past not in self._district:
            report_filter = ReportFilter(self.span(*past), now=self.cut)
            equity_span = term_to_date(past[1])
            self._district[past] = DistrictFigures(
                usage=utilisation(report_filter, DISTRICT_VIEWER),
                access=access(report_filter, DISTRICT_VIEWER),
                equity=access(ReportFilter(self.span(*equity_span), now=self.cut), DISTRICT_VIEWER),
                equity_span=equity_span,
                no_shows=no_shows(report_filter.range),
                waiting_long=waiting_requests(self.cut, waiting_since=self.cut - WAITING_LONG),
            )
        return self._district[past]

    def school_flows(self, school_id: int, past: tuple[date, date]) -> Flows:
        """Hours between ``school_id`` and the other schools in the past window (both directions)."""
        key = (school_id, past)
        if key not in self._schools:
            viewer = Viewer(user_id=0, school_id=school_id, coordinator=False, named_school_ids=frozenset({school_id}))
            self._schools[key] = flows(ReportFilter(self.span(*past), school_id=school_id, now=self.cut), viewer)
        return self._schools[key]

    def waiting_for_school(self, school_id: int) -> list[Booking]:
        if school_id not in self._waiting:
            self._waiting[school_id] = waiting_requests(self.cut, owner_school_id=school_id)
        return self._waiting[school_id]
