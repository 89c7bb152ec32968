"""The district feed (coordinators): every school's bookings, bounded in time and in size.

- Window: bookings *starting* from ``DISTRICT_FEED_WEEKS_BACK`` weeks before today (default 4) until
  ``DISTRICT_FEED_WEEKS_AHEAD`` weeks after it (default 12). A series with a date in it is sent whole,
  as in every feed (its rule, EXDATEs and overrides).
- Limit: at most ``DISTRICT_FEED_MAX_EVENTS`` events (default 5000; a single booking or a whole series
  is one), the earliest first. When the window holds more, the calendar says so: an all-day event
  "only the first N bookings are shown" on the day of the first one left out, and the calendar
  property ``X-DISTRICT-SHARE-TRUNCATED`` (the limit).
- Validator: the district's change counter (``FeedRevision``, raised by the database at every write
  of bookings and series, see migration 0010f) with the latest change of what events name (resources,
  schools, bookers); Last-Modified from max(updated_at) over an index. A 304 reads no booking row.
- Body: the window's bookings are walked in start order (keyset pages over an index) only until the
  limit is reached, then events are built a batch at a time, so memory follows the limit, not the
  size of the district.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import select, tuple_

from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingSeries
from booking.bookings.services import visible_bookings_query
from booking.calendars import cache, feeds, ical, texts
from booking.calendars.models import FeedRevision
from booking.calendars.targets import FeedTarget
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc

BATCH = 500  # bookings read, and events built, at a time
TRUNCATED = "X-DISTRICT-SHARE-TRUNCATED"


@dataclass(frozen=True)
class Limits:
    weeks_back: int
    weeks_ahead: int
    max_events: int


def limits() -> Limits:
    config = current_app.config
    return Limits(config["DISTRICT_FEED_WEEKS_BACK"], config["DISTRICT_FEED_WEEKS_AHEAD"],
                  config["DISTRICT_FEED_MAX_EVENTS"])


def window_for(zone: ZoneInfo, now: datetime | None = None) -> feeds.Window:
    """The other feeds' window (day, cancellations shown), narrowed to the configured weeks."""
    bounds, base = limits(), feeds.window_for(zone, now)
    return replace(base, start=local_to_utc(base.day - timedelta(weeks=bounds.weeks_back), time(0), zone),
                   end=local_to_utc(base.day + timedelta(weeks=bounds.weeks_ahead), time(0), zone))


# --- which events ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    singles: list[int]  # booking ids
    series: list[int]  # series ids, each sent whole
    left_out_from: datetime | None  # the start of the first booking over the limit; None: nothing left out


def select_events(owner, target: FeedTarget, window: feeds.Window, cap: int) -> Selection:
    """The first ``cap`` events of the window in start order, reading only as far as needed."""
    query = (visible_bookings_query(owner)
             .where(target.condition, Booking.starts_at >= window.start, Booking.starts_at < window.end)
             .with_only_columns(Booking.starts_at, Booking.id, Booking.series_id, Booking.status, Booking.updated_at)
             .order_by(Booking.starts_at, Booking.id).limit(BATCH))
    singles: list[int] = []
    series: dict[int, None] = {}  # an ordered set
    after = None
    while True:
        page = db.session.execute(query if after is None else
                                  query.where(tuple_(Booking.starts_at, Booking.id) > after)).all()
        for starts_at, booking_id, series_id, status, updated_at in page:
            if series_id is None and status not in ACTIVE_STATUSES and updated_at < window.cancelled_since:
                continue  # cancelled too long ago to be shown
            if series_id is not None and series_id in series:
                continue
            if len(singles) + len(series) >= cap:
                return Selection(singles, list(series), starts_at)
            if series_id is None:
                singles.append(booking_id)
            else:
                series[series_id] = None
        if len(page) < BATCH:
            return Selection(singles, list(series), None)
        after = tuple(page[-1][:2])


# --- validator -------------------------------------------------------------------------------------

def feed_validator(feed, owner, target: FeedTarget, window: feeds.Window) -> feeds.Validator:
    """One statement: the change counter, the latest booking and series change (index lookups), and the
    latest rename of a resource, school or booker (small tables)."""
    counter = select(FeedRevision.counter).where(FeedRevision.scope == "district").scalar_subquery()
    row = feeds.latest_changes(counter)
    state = (ical.FORMAT_VERSION, "district", feed.id, target.name, owner.role.value, owner.school_id,
             owner.locale, owner.display_name, window.day.isoformat(), district_zone().key, texts.uid_domain(),
             limits(), tuple(row))
    etag = feeds.state_tag(state)
    known = [moment for moment in row[1:] if moment is not None]
    return feeds.Validator(etag, max([*known, window.day_start, feed.created_at]))


# --- body ------------------------------------------------------------------------------------------

def _batches(ids: list[int]):
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def _events(chosen: Selection, shaping):
    """The chosen events, a batch at a time (only one batch's rows are held at once)."""
    for batch in _batches(chosen.singles):
        yield feeds.events_of(feeds.booking_facts(cache.one_of(Booking.id, batch)), [], [], shaping)
    for batch in _batches(chosen.series):
        yield feeds.events_of([], feeds.series_facts(cache.one_of(BookingSeries.id, batch)),
                              feeds.booking_facts(cache.one_of(Booking.series_id, batch)), shaping)


def _blocks(chosen: Selection, shaping, zone: ZoneInfo) -> list[str]:
    blocks: list[str] = []
    stored = False
    for events in _events(chosen, shaping):
        built, entries = cache.built_blocks(events, zone)
        blocks.extend(built)
        cache.store(entries)
        stored = stored or bool(entries)
    if stored:  # blocks of what ended before every feed's window (not this narrower one) are of no use
        cache.store([], prune_before=feeds.window_for(zone).start)
    return blocks


def limit_notice(bounds: Limits, window: feeds.Window, day: date) -> str:
    """The all-day event on the first day left out: what the feed shows, and where to see the rest."""
    summary = _("Only the first %(count)s bookings are shown", count=bounds.max_events)
    description = _("This calendar shows at most %(count)s bookings (a series counts once) starting from "
                    "%(first)s to %(last)s, the earliest first. Those from %(day)s on are left out: see them on "
                    "the site.", count=bounds.max_events, first=window.start.astimezone(district_zone()).date(),
                    last=(window.end.astimezone(district_zone()) - timedelta(days=1)).date(), day=day)
    return ical.notice_block(f"district-feed-limit@{texts.uid_domain()}", day, window.day_start, summary,
                             description + "\n" + url_for("index", _external=True))


def feed_body(owner, target: FeedTarget, window: feeds.Window) -> bytes:
    bounds, zone = limits(), district_zone()
    chosen = select_events(owner, target, window, bounds.max_events)
    blocks = _blocks(chosen, feeds.shaping_for(owner, window), zone)
    properties = ()
    if chosen.left_out_from is not None:
        blocks.append(limit_notice(bounds, window, chosen.left_out_from.astimezone(zone).date()))
        properties = ((TRUNCATED, str(bounds.max_events)),)
    return feeds.calendar_bytes(target.name, blocks, window, properties)
