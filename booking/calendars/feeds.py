"""Feed content from the database: the window, the rows, the HTTP validator, the iCalendar body.

The validator (ETag, Last-Modified) comes from the database's change counters of the feed's resources,
schools and booker (migration 0011d) and the latest change of what events name (resources, schools,
bookers), so an unchanged feed answers 304 without reading a booking or building anything.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import get_locale
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from booking.accounts.models import User
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingSeries
from booking.bookings.services import visible_bookings_query
from booking.calendars import cache, ical, texts
from booking.calendars.models import FeedRevision
from booking.calendars.shaping import BookingFacts, SeriesFacts, Shaping, series_events, single_event
from booking.calendars.targets import FeedTarget
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.resources.models import Resource
from booking.schools.models import School

DAYS_BACK = 90
DAYS_AHEAD = 366
CANCELLED_SHOWN_DAYS = 30


@dataclass(frozen=True)
class Window:
    """What a feed covers today. Day-granular, so the feed changes at most once a day by itself."""

    day: date
    day_start: datetime
    start: datetime
    end: datetime
    cancelled_since: datetime


def window_for(zone: ZoneInfo, now: datetime | None = None) -> Window:
    today = (now or utcnow()).astimezone(zone).date()

    def midnight(day: date) -> datetime:
        return local_to_utc(day, time(0), zone)

    return Window(today, midnight(today), midnight(today - timedelta(days=DAYS_BACK)),
                  midnight(today + timedelta(days=DAYS_AHEAD)),
                  midnight(today - timedelta(days=CANCELLED_SHOWN_DAYS)))


# --- which rows ----------------------------------------------------------------------------------

def _in_window(owner, target: FeedTarget, window: Window):
    """The feed's bookings overlapping the window, limited to what ``owner`` may see."""
    return visible_bookings_query(owner).where(
        target.condition, Booking.starts_at < window.end, Booking.ends_at > window.start)


def _single_ids(owner, target: FeedTarget, window: Window):
    shown = or_(Booking.status.in_(ACTIVE_STATUSES), Booking.updated_at >= window.cancelled_since)
    return _in_window(owner, target, window).where(Booking.series_id.is_(None), shown) \
        .with_only_columns(Booking.id)


def _series_ids(owner, target: FeedTarget, window: Window):
    """Series with a date in the window: each is sent whole (its rule, every EXDATE and override)."""
    return _in_window(owner, target, window).where(Booking.series_id.is_not(None)) \
        .with_only_columns(Booking.series_id)


OwnerSchool = aliased(School)
ClassSchool = aliased(School)
# When each name an event prints last changed: the resource, its school, the class's school, the
# booker (their profile only: a sign-in is not a change of the feed).
NAME_CHANGES = (Resource.updated_at, OwnerSchool.updated_at, ClassSchool.updated_at, User.profile_updated_at)
FACT_COLUMNS = (
    Booking.id, Booking.series_id, Booking.starts_at, Booking.ends_at, Booking.status, Booking.sequence,
    Booking.updated_at, Booking.original_start, Booking.title, Booking.class_name, Booking.resource_id,
    Resource.kind, Resource.name, Resource.location, Resource.owner_school_id, OwnerSchool.name,
    Booking.school_id, ClassSchool.name, Booking.booked_by_id, User.display_name,
)
SERIES_COLUMNS = (
    BookingSeries.id, BookingSeries.rrule, BookingSeries.dtstart, BookingSeries.duration_minutes,
    BookingSeries.status, BookingSeries.created_at, BookingSeries.updated_at, BookingSeries.title,
    BookingSeries.class_name,
)


def _join_named(query):
    """``query`` (over bookings joined to their resource) joined to the rows behind the names."""
    return (query.join(OwnerSchool, Resource.owner_school_id == OwnerSchool.id)
            .join(ClassSchool, Booking.school_id == ClassSchool.id)
            .join(User, Booking.booked_by_id == User.id))


def booking_facts(condition) -> list[BookingFacts]:
    """Rows as plain values, in one query (no ORM objects: a feed may hold thousands)."""
    query = _join_named(select(*FACT_COLUMNS, *NAME_CHANGES).select_from(Booking)
                        .join(Resource, Booking.resource_id == Resource.id))
    query = query.where(condition).order_by(Booking.starts_at, Booking.id)
    named = len(FACT_COLUMNS)
    return [BookingFacts(*row[:named], max(row[named:])) for row in db.session.execute(query)]


def series_facts(condition) -> list[SeriesFacts]:
    query = select(*SERIES_COLUMNS).where(condition).order_by(BookingSeries.dtstart, BookingSeries.id)
    return [SeriesFacts(*row) for row in db.session.execute(query)]


def events_of(singles: list[BookingFacts], series: list[SeriesFacts], series_rows: list[BookingFacts],
              shaping: Shaping) -> list:
    rows_by_series: dict[int, list[BookingFacts]] = {}
    for row in series_rows:
        rows_by_series.setdefault(row.series_id, []).append(row)
    events = [event for row in singles if (event := single_event(row, shaping))]
    for one in series:
        events.extend(series_events(one, rows_by_series.get(one.id, []), shaping))
    return events


# --- validator -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Validator:
    etag: str
    last_modified: datetime


def state_tag(state: tuple) -> str:
    """An ETag for everything a feed is made from."""
    return hashlib.sha256(repr(state).encode()).hexdigest()[:40]


def latest_changes(*first) -> tuple:
    """``first`` (scalar subqueries), then the latest change of a booking, of a series, and of what events name
    or the owner may see (resources, schools, bookers), in one statement: an index lookup each, or a scan of a
    small table."""
    def latest(column):
        return select(func.max(column)).scalar_subquery()
    return tuple(db.session.execute(select(*first, latest(Booking.updated_at), latest(BookingSeries.updated_at),
                                           latest(Resource.updated_at), latest(School.updated_at),
                                           latest(User.profile_updated_at))).one())


def owner_state(owner) -> tuple:
    """What of the owner shapes a feed: the words (language, name) and what they may see."""
    return (owner.role.value, owner.school_id, getattr(owner, "district_id", None), getattr(owner, "area", None),
            owner.locale, owner.display_name)


def feed_validator(feed, owner, target: FeedTarget, window: Window) -> Validator:
    """ETag and Last-Modified of the feed as it would be built now, from two statements that read no booking.

    The database raises a counter for each resource, class school and booker at every write of a booking or
    series row naming it, and all of a series' counters when one of its rows changes (migration 0011d), so the
    counters of the feed's keys (``target.revision_keys``) change whenever a row it is made from does. A
    rename, or a change of what the owner may see, shows in the latest change of resources, schools and
    bookers.
    """
    keys = target.revision_keys()
    counters = dict(db.session.execute(select(FeedRevision.scope, FeedRevision.counter)
                                       .where(FeedRevision.scope.in_(keys))).all())
    moments = latest_changes()
    state = (ical.FORMAT_VERSION, feed.id, target.scope.value, target.target_id, target.name, owner_state(owner),
             window.day.isoformat(), district_zone().key, texts.uid_domain(),
             tuple((key, counters.get(key, 0)) for key in keys), moments)
    known = [moment for moment in moments if moment is not None]
    return Validator(state_tag(state), max([*known, window.day_start, feed.created_at]))


# --- body ----------------------------------------------------------------------------------------

def shaping_for(viewer, window: Window) -> Shaping:
    return Shaping(zone=district_zone(), uid_domain=texts.uid_domain(), cancelled_since=window.cancelled_since,
                   detail_for=texts.detail_for(viewer), describe=texts.Wording(), language=str(get_locale()))


def calendar_bytes(name: str, blocks: list[str], window: Window, properties: tuple = ()) -> bytes:
    zone = district_zone()
    # The zone's rules must cover every date written: series may start up to a year before the window.
    head = ical.calendar_head(name, zone, window.start.date() - timedelta(days=DAYS_AHEAD), window.end.date(),
                              properties=properties)
    return ical.calendar_text(head, blocks)


def render_calendar(name: str, events: list, window: Window) -> bytes:
    return calendar_bytes(name, cache.blocks_for(events, district_zone(), prune_before=window.start), window)


def feed_body(owner, target: FeedTarget, window: Window) -> bytes:
    series_ids = _series_ids(owner, target, window)
    events = events_of(booking_facts(Booking.id.in_(_single_ids(owner, target, window))),
                       series_facts(BookingSeries.id.in_(series_ids)),
                       booking_facts(Booking.series_id.in_(series_ids)),
                       shaping_for(owner, window))
    return render_calendar(target.name, events, window)


def booking_calendar(viewer, booking: Booking) -> bytes:
    """One booking (with its whole series, if it has one) to add to a calendar, as ``viewer`` may see it."""
    window = window_for(district_zone())
    if booking.series_id is None:
        events = events_of(booking_facts(Booking.id == booking.id), [], [], shaping_for(viewer, window))
    else:
        events = events_of([], series_facts(BookingSeries.id == booking.series_id),
                           booking_facts(Booking.series_id == booking.series_id), shaping_for(viewer, window))
    return render_calendar(f"{booking.resource.name} · {booking.title}", events, window)
