"""Shared set-up of the feed tests (no tests here): a small district with single and recurring bookings, and
readers that expand a feed the way a calendar app would (icalendar + recurring-ical-events)."""
from __future__ import annotations

from datetime import date, time, timedelta
from types import SimpleNamespace

import icalendar
import recurring_ical_events
from sqlalchemy import select

from booking import clock
from booking.accounts.models import Role
from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.models import ACTIVE_STATUSES, Booking
from booking.bookings.services import cancel_booking, create_booking
from booking.calendars import services
from booking.extensions import db
from booking.resources.models import Category, ResourceKind
from tests import factories
from tests.booking_support import NOW, freeze, local, single

# Wider than any feed's window, so the expansion sees every date a feed holds.
EXPAND_FROM, EXPAND_TO = local(1, 1, 0, year=2026), local(12, 31, 0, year=2027)


@factories.batched
def build_world() -> SimpleNamespace:
    """Two schools, a lab and a visiting music teacher; bookings of every shape.

    The teacher's weekly series (Thursdays 10 Sep – 29 Oct, 第3节) has its third date moved to
    Friday afternoon and its fifth date cancelled.
    """
    freeze()
    home = factories.school(name="新天寄宿制小学")
    other = factories.school(name="李寨小学")
    w = SimpleNamespace(home=home, other=other)
    w.teacher = factories.user(school=home, display_name="张老师")
    w.outsider = factories.user(school=other, display_name="王老师")
    w.coordinator = factories.user(role=Role.COORDINATOR, display_name="赵主任")
    w.lab = factories.resource(name="物理实验室", owner_school=home, location="二楼东侧")
    w.music = factories.resource(name="刘老师（音乐）", kind=ResourceKind.TEACHER, category=Category.VISITING_TEACHER,
                                 owner_school=home, subject="music")
    w.single = create_booking(w.teacher, single(w.lab)).bookings[0]
    w.series_rows = create_booking(w.teacher, single(w.lab, day=10, rrule="FREQ=WEEKLY;BYDAY=TH",
                                                     until=date(2026, 10, 29))).bookings
    w.dropped = create_booking(w.teacher, single(w.lab, day=4)).bookings[0]
    w.secret = create_booking(w.outsider, single(w.lab, day=7, title="秘密实验", class_name="五年级1班")).bookings[0]
    w.visit = create_booking(w.outsider, single(w.music, day=8, title="音乐课")).bookings[0]
    advance(hours=1)
    w.moved = w.series_rows[2]
    change_booking(w.teacher, w.moved, BookingChanges(day=date(2026, 9, 25), start_time=time(14, 0),
                                                      end_time=time(14, 40)), "occurrence")
    w.cancelled = w.series_rows[4]
    cancel_booking(w.teacher, w.cancelled, "occurrence")
    cancel_booking(w.teacher, w.dropped, "occurrence")
    return w


def advance(**delta) -> None:
    clock.freeze(clock.utcnow() + timedelta(**delta))


def subscribe(owner, scope: str, target_id: int | None = None) -> str:
    """A new feed of ``owner``; its path with the secret."""
    return f"/feeds/{services.create_feed(owner, scope, target_id).secret}.ics"


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def expanded(body: bytes, with_cancelled: bool = False) -> list:
    """Every occurrence an RFC 5545 reader finds in the feed."""
    found = recurring_ical_events.of(parse(body)).between(EXPAND_FROM, EXPAND_TO)
    return [event for event in found if with_cancelled or str(event.get("STATUS")) != "CANCELLED"]


def intervals(events) -> list[tuple]:
    return sorted((event.start.astimezone(NOW.tzinfo), event.end.astimezone(NOW.tzinfo)) for event in events)


def stored_intervals(*conditions) -> list[tuple]:
    """The active bookings matching ``conditions``, as the feed test expects to see them."""
    rows = db.session.scalars(select(Booking).where(Booking.status.in_(ACTIVE_STATUSES), *conditions))
    return sorted((row.starts_at.astimezone(NOW.tzinfo), row.ends_at.astimezone(NOW.tzinfo)) for row in rows)


def uids(body: bytes) -> list[str]:
    return sorted(str(event["UID"]) for event in parse(body).walk("VEVENT"))


def feed_uids(client, user, targets) -> set[str]:
    """The UIDs every feed ``user`` may hold among ``targets`` ((scope, id) pairs) shows; a feed the user
    may not hold is left out."""
    from booking.validation import ValidationFailed

    found = set()
    for scope, target in targets:
        try:
            secret = services.create_feed(user, scope, target).secret
        except ValidationFailed:
            continue
        db.session.commit()
        body = client.get(f"/feeds/{secret}.ics").get_data(as_text=True)
        found |= {line.split(":", 1)[1].strip() for line in body.splitlines() if line.startswith("UID:")}
    return found
