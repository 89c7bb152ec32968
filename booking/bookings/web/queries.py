"""What the booking pages read beyond the services: my bookings, the week and day grids, pre-filled form links,
the resource chooser (by school, nearest first, searchable, paged)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Iterable

from flask import url_for
from flask_login import current_user
from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import joinedload

from booking.bookings.availability import availability
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from booking.bookings.planning import period_school_id
from booking.bookings.calendar_queries import makeup_days_by_school
from booking.bookings.web.grid import (DayGrid, Period, WeekGrid, build_day_column, build_day_grid, build_week_grid,
                                       monday_of, shown_weekdays)
from booking.bookings.web.form_input import TermSpan
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc, local_today, to_local
from booking.paging import Page, paginate
from booking.resources.models import Resource
from booking.resources.services import ResourceFilter, visible_resources_query
from booking.schools.models import BellPeriod, School
from booking.schools.services import current_term
from booking.schools.travel import travel_matrix, travel_minutes

MY_LISTS = ("upcoming", "past", "cancelled")
PAGE_SIZE = 30
ENDED_STATUSES = (BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.EXPIRED)


@dataclass(frozen=True)
class MyFilter:
    """What 我的预约 shows: which list, the local days it covers, and whether a series shows once."""

    show: str = "upcoming"
    first: date | None = None
    last: date | None = None
    grouped: bool = False
    view: str = "list"  # or "calendar": a month at a time

    def query_args(self) -> dict:
        args = {"show": self.show, "from": self.first.isoformat() if self.first else None,
                "to": self.last.isoformat() if self.last else None, "series": "1" if self.grouped else None,
                "view": self.view if self.view != "list" else None}
        return {key: value for key, value in args.items() if value}


def _my_query(user, filters: MyFilter):
    """The rows of one of ``user``'s lists, ordered as the list shows them."""
    now, zone = utcnow(), district_zone()
    query = select(Booking).where(Booking.booked_by_id == user.id)
    if filters.first:
        query = query.where(Booking.ends_at > local_to_utc(filters.first, time(0), zone))
    if filters.last:
        query = query.where(Booking.starts_at < local_to_utc(filters.last + timedelta(days=1), time(0), zone))
    if filters.show == "upcoming":
        query = query.where(Booking.status.in_(ACTIVE_STATUSES), Booking.ends_at > now).order_by(Booking.starts_at)
    elif filters.show == "past":
        query = query.where(Booking.status == BookingStatus.CONFIRMED, Booking.ends_at <= now)
        query = query.order_by(Booking.starts_at.desc())
    else:
        query = query.where(Booking.status.in_(ENDED_STATUSES)).order_by(Booking.starts_at.desc())
    return query


def my_bookings(user, show: str, page: int, filters: MyFilter | None = None) -> tuple[list[Booking], bool]:
    """One page of ``user``'s bookings: upcoming (soonest first), past or cancelled (latest first);
    and whether there is a next page. ``filters`` narrow it to local days, and may show a series once
    (the date of it created first among those the list holds; ``series_counts`` says how many)."""
    filters = filters or MyFilter(show)
    query = _my_query(user, filters)
    if filters.grouped:
        firsts = (query.with_only_columns(func.min(Booking.id)).order_by(None)
                  .group_by(func.coalesce(Booking.series_id, -Booking.id)))
        query = query.where(Booking.id.in_(firsts))
    query = query.options(joinedload(Booking.resource).joinedload(Resource.owner_school), joinedload(Booking.school))
    rows = list(db.session.scalars(query.order_by(Booking.id).limit(PAGE_SIZE + 1).offset(page * PAGE_SIZE)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


MONTH_LIMIT = 500  # bookings one calendar month shows at most


def my_month(user, filters: MyFilter, first: date, last: date) -> list[Booking]:
    """``user``'s bookings of the list ``filters`` name that start between the local days ``first`` and
    ``last`` (within the filter's own dates), earliest first; every date of a series."""
    first, last = max(first, filters.first or first), min(last, filters.last or last)
    if last < first:
        return []
    query = _my_query(user, replace(filters, first=first, last=last, grouped=False))
    query = query.where(Booking.starts_at >= local_to_utc(first, time(0), district_zone()))
    query = query.options(joinedload(Booking.resource).joinedload(Resource.owner_school), joinedload(Booking.school))
    return list(db.session.scalars(query.order_by(None).order_by(Booking.starts_at, Booking.id).limit(MONTH_LIMIT)))


def series_counts(user, rows: list[Booking], filters: MyFilter) -> dict[int, int]:
    """For a grouped list: how many dates of each shown series the list holds (series id → count)."""
    series_ids = {row.series_id for row in rows if row.series_id is not None}
    if not filters.grouped or not series_ids:
        return {}
    listed = _my_query(user, filters).with_only_columns(Booking.id).order_by(None)
    return dict(db.session.execute(
        select(Booking.series_id, func.count()).where(Booking.id.in_(listed), Booking.series_id.in_(series_ids))
        .group_by(Booking.series_id)).all())


def term_span_on(day: date) -> TermSpan | None:
    """The term a series starting on ``day`` runs to by default: the one holding it, else the next."""
    term = current_term(day)
    return TermSpan(term.id, term.end_date) if term else None


def week_grid_for(resource: Resource, week_value=None) -> WeekGrid:
    """The week grid of ``resource`` as the signed-in user may book it (week of ``week_value``, else this week)."""
    zone = district_zone()
    monday = monday_of(week_value, local_today())
    start, end = local_to_utc(monday, time(0), zone), local_to_utc(monday + timedelta(days=7), time(0), zone)
    found = availability(current_user, resource, start, end)
    free = {(to_local(p.start).date(), p.number) for p in found.free_periods}
    bells = db.session.scalars(select(BellPeriod).where(
        BellPeriod.school_id == period_school_id(resource, current_user.school_id)).order_by(BellPeriod.number))
    periods = [Period(p.number, p.start_time, p.end_time) for p in bells]
    weekdays = shown_weekdays(h.weekday for h in resource.opening_hours)
    makeup = makeup_days_by_school({resource.owner_school_id}, monday, monday + timedelta(days=6))
    return build_week_grid(monday, weekdays, periods, found.busy, free, zone, utcnow(), makeup[resource.owner_school_id])


def _bells(school_ids: Iterable[int]) -> dict[int, list[Period]]:
    bells: dict[int, list[Period]] = {}
    for p in db.session.scalars(select(BellPeriod).where(BellPeriod.school_id.in_(set(school_ids)))
                                .order_by(BellPeriod.number)):
        bells.setdefault(p.school_id, []).append(Period(p.number, p.start_time, p.end_time))
    return bells


def day_grid_for(resources: list[Resource], day: date) -> DayGrid:
    """The day grid of ``resources`` as the signed-in user may book them, each at its school's bells."""
    zone, now = district_zone(), utcnow()
    start, end = local_to_utc(day, time(0), zone), local_to_utc(day + timedelta(days=1), time(0), zone)
    bells = _bells(r.owner_school_id for r in resources)
    columns = []
    for resource in resources:
        found = availability(current_user, resource, start, end)
        free = {(to_local(p.start).date(), p.number) for p in found.free_periods}
        columns.append(build_day_column(resource, day, bells.get(resource.owner_school_id, []), found.busy, free,
                                        zone, now))
    return build_day_grid(day, columns)


def _period_numbers(school_ids: Iterable[int]) -> dict[tuple[int, time, time], int]:
    rows = db.session.scalars(select(BellPeriod).where(BellPeriod.school_id.in_(set(school_ids))))
    return {(p.school_id, p.start_time, p.end_time): p.number for p in rows}


def form_link(resource_id: int, day: date, carried: dict, *, period: int | None = None,
              start: time | None = None, end: time | None = None) -> str:
    """The booking form of a resource, pre-filled with a date, a period or times, and the class."""
    when = {"period_number": period} if period else {"start_time": f"{start:%H:%M}", "end_time": f"{end:%H:%M}"}
    values = {name: value for name, value in carried.items() if value not in (None, "")}
    return url_for("bookings.new_booking", resource_id=resource_id, day=day.isoformat(), **when, **values)


def slot_links(slots, carried: dict) -> list[tuple[object, str]]:
    """Each suggested slot (``suggestions.Suggestion``) with a link to the form pre-filled for it;
    by period when the slot is exactly a bell period of the resource's school."""
    slots = list(slots)
    numbers = _period_numbers(s.school_id for s in slots) if slots else {}
    linked = []
    for slot in slots:
        start, end = to_local(slot.start), to_local(slot.end)
        period = getattr(slot, "period_number", None) or numbers.get((slot.school_id, start.time(), end.time()))
        linked.append((slot, form_link(slot.resource_id, start.date(), carried, period=period,
                                       start=start.time(), end=end.time())))
    return linked


def matching_period(bell_periods, start: datetime, end: datetime) -> int | None:
    """The bell period a booking is exactly (第N节), if any."""
    local_start, local_end = to_local(start), to_local(end)
    for period in bell_periods:
        if (period.start_time, period.end_time) == (local_start.time(), local_end.time()):
            return period.number
    return None


# --- the resource chooser (/bookings/new) ---------------------------------------------------

UNKNOWN_MINUTES = 10**6  # sorts schools with no travel time entered after every known one


@dataclass
class ChooserGroup:
    """One school's resources on a page of the chooser, with the trip from the user's school."""

    school: School
    minutes: int | None  # 0: the user's own school; None: nobody entered the travel time
    resources: list[Resource] = field(default_factory=list)
    ambiguous: set[int] = field(default_factory=set)  # ids whose name and room repeat at the school: shown with ids


def chooser_page(user, q: str | None, category: str | None, number: int) -> tuple[Page, list[ChooserGroup]]:
    """One page (30) of the resources ``user`` may book, nearest school first (own school, then by
    travel time, unknown ones last, then by name), matching ``q`` in the resource's name or room or
    the school's name or code; grouped by school."""
    query = visible_resources_query(user, ResourceFilter(category=category))
    if q:
        query = query.where(or_(Resource.name.contains(q, autoescape=True), Resource.location.contains(q, autoescape=True),
                                School.name.contains(q, autoescape=True), School.code.contains(q, autoescape=True)))
    minutes: dict[int, int | None] = {}
    if user.school_id is not None:
        matrix = travel_matrix()
        minutes = {sid: travel_minutes(user.school_id, sid, matrix) for sid in db.session.scalars(select(School.id))}
    known = {sid: m for sid, m in minutes.items() if m is not None}
    distance = case(known, value=Resource.owner_school_id, else_=UNKNOWN_MINUTES) if known else literal(UNKNOWN_MINUTES)
    query = query.order_by(None).order_by(distance, School.name, School.id, Resource.category, Resource.name, Resource.id)
    page = paginate(query, number)
    groups: list[ChooserGroup] = []
    for resource in page.items:
        if not groups or groups[-1].school.id != resource.owner_school_id:
            groups.append(ChooserGroup(resource.owner_school, minutes.get(resource.owner_school_id)))
        groups[-1].resources.append(resource)
    for group in groups:
        seen = Counter((r.name, r.location) for r in group.resources)
        group.ambiguous = {r.id for r in group.resources if seen[(r.name, r.location)] > 1}
    return page, groups
