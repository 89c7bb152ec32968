"""What the booking pages read beyond the services: my bookings, the week and day grids, pre-filled form links."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Iterable

from flask import url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from booking.bookings.availability import availability
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingStatus
from booking.bookings.planning import period_school_id
from booking.bookings.queries import makeup_days_by_school
from booking.bookings.web.grid import (DayGrid, Period, WeekGrid, build_day_column, build_day_grid, build_week_grid,
                                       monday_of, shown_weekdays)
from booking.bookings.web.form_input import TermSpan
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc, local_today, to_local
from booking.resources.models import Resource
from booking.schools.models import BellPeriod
from booking.schools.services import current_term

MY_LISTS = ("upcoming", "past", "cancelled")
PAGE_SIZE = 30
ENDED_STATUSES = (BookingStatus.CANCELLED, BookingStatus.REJECTED, BookingStatus.EXPIRED)


def my_bookings(user, show: str, page: int) -> tuple[list[Booking], bool]:
    """One page of ``user``'s bookings: upcoming (soonest first), past or cancelled (latest first);
    and whether there is a next page."""
    now = utcnow()
    query = (select(Booking).options(joinedload(Booking.resource).joinedload(Resource.owner_school))
             .where(Booking.booked_by_id == user.id))
    if show == "upcoming":
        query = query.where(Booking.status.in_(ACTIVE_STATUSES), Booking.ends_at > now).order_by(Booking.starts_at)
    elif show == "past":
        query = query.where(Booking.status == BookingStatus.CONFIRMED, Booking.ends_at <= now)
        query = query.order_by(Booking.starts_at.desc())
    else:
        query = query.where(Booking.status.in_(ENDED_STATUSES)).order_by(Booking.starts_at.desc())
    rows = list(db.session.scalars(query.order_by(Booking.id).limit(PAGE_SIZE + 1).offset(page * PAGE_SIZE)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


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
        period = numbers.get((slot.school_id, start.time(), end.time()))
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
