"""Calendar feed benchmark: a 5,000-event feed, ours beside a naive icalendar build, same run. Prints figures.

    cd /work/main
    .venv/bin/python bench/feed_bench.py                       # a temporary SQLite file
    .venv/bin/python bench/feed_bench.py --server postgresql://postgres@127.0.0.1/postgres
    .venv/bin/python bench/feed_bench.py --events 5000 --repeat 7

One district feed (a coordinator's) of ``--events`` VEVENTs: single bookings, plus weekly series of
20 dates with one moved date (an override) and one cancelled date (an EXDATE) each. Every series
gives two VEVENTs (master + override). Measured, median of ``--repeat`` runs (memory: tracemalloc
peak of one further run):

- naive:         the same rows and events, serialised by building one icalendar Calendar with
                 every VEVENT and calling to_ical() (what a feed does without a block cache)
- ours, cold:    feed_body with an empty block cache (builds every block and stores it)
- ours, warm:    feed_body with the cache filled (joins stored blocks; the normal case)
- GET 200 warm:  the HTTP endpoint: token lookup, validator, body
- GET 304:       the HTTP endpoint with If-None-Match: aggregate queries only
- GET 304, one resource: the same for one lab's feed (a twentieth of the rows), the usual subscription
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask_migrate import upgrade  # noqa: E402
from icalendar import Calendar  # noqa: E402
from sqlalchemy import create_engine, delete, insert, select, text  # noqa: E402

from booking import clock, create_app  # noqa: E402
from booking.accounts.models import Role  # noqa: E402
from booking.bookings.models import Booking, BookingSeries  # noqa: E402
from booking.calendars import feeds, ical, services  # noqa: E402
from booking.calendars.models import FeedEventCache  # noqa: E402
from booking.calendars.targets import resolve_target  # noqa: E402
from booking.extensions import db  # noqa: E402
from booking.i18n import district_zone  # noqa: E402

NOW = datetime(2026, 9, 1, 0, 0, tzinfo=timezone.utc)
SERIES_DATES = 20


def booking_row(resource_id, user_id, school_id, start, n, **extra) -> dict:
    row = dict(resource_id=resource_id, series_id=None, booked_by_id=user_id, school_id=school_id, starts_at=start,
               ends_at=start + timedelta(minutes=40), status="confirmed", blocks=False, quantity=1,
               title=f"实验课 {n}", class_name=f"{n % 6 + 1}年级{n % 4 + 1}班", students=30, original_start=None,
               is_exception=False, cancel_reason="", decision_reason="", created_at=NOW, updated_at=NOW, sequence=0)
    row.update(extra)
    return row


def fill(events: int, resource_ids: list[int], user_id: int, school_id: int) -> None:
    """``events`` VEVENTs spread over the window: a fifth of them as series (2 VEVENTs per series)."""
    series_count = events // 10
    singles = events - 2 * series_count
    rows = [booking_row(resource_ids[n % len(resource_ids)], user_id, school_id,
                        NOW - timedelta(days=80) + timedelta(minutes=97 * n), n) for n in range(singles)]
    db.session.execute(insert(Booking), rows)
    for s in range(series_count):
        start = NOW + timedelta(days=s % 200, hours=s % 7)
        until = start + timedelta(weeks=SERIES_DATES - 1)
        series_id = db.session.execute(insert(BookingSeries).values(
            resource_id=resource_ids[s % len(resource_ids)], booked_by_id=user_id, school_id=school_id,
            rrule=f"FREQ=WEEKLY;UNTIL={until:%Y%m%dT%H%M%SZ}", dtstart=start, duration_minutes=40, until=until,
            title=f"每周实验课 {s}", class_name="三年级2班", quantity=1, status="active", created_at=NOW,
            updated_at=NOW, sequence=0).returning(BookingSeries.id)).scalar_one()
        dates = [start + timedelta(weeks=w) for w in range(SERIES_DATES)]
        rows = [booking_row(resource_ids[s % len(resource_ids)], user_id, school_id, d, s, series_id=series_id,
                            original_start=d, title=f"每周实验课 {s}", class_name="三年级2班") for d in dates]
        rows[4].update(starts_at=dates[4] + timedelta(days=1), ends_at=dates[4] + timedelta(days=1, minutes=40),
                       is_exception=True, sequence=1)
        rows[9].update(status="cancelled", is_exception=True, sequence=1)
        db.session.execute(insert(Booking), rows)
    db.session.commit()


def seed(events: int):
    from tests import factories

    school = factories.school(name="新天寄宿制小学")
    coordinator = factories.user(role=Role.COORDINATOR, display_name="赵主任")
    resource_ids = [factories.resource(owner_school=school, name=f"实验室{n}").id for n in range(20)]
    fill(events, resource_ids, coordinator.id, school.id)
    return coordinator


def naive_body(owner, target, window) -> bytes:
    """The same events, built as one icalendar object tree and serialised in one go."""
    series_ids = feeds._series_ids(owner, target, window)
    events = feeds.events_of(feeds.booking_facts(Booking.id.in_(feeds._single_ids(owner, target, window))),
                             feeds.series_facts(BookingSeries.id.in_(series_ids)),
                             feeds.booking_facts(Booking.series_id.in_(series_ids)),
                             feeds.shaping_for(owner, window))
    zone = district_zone()
    calendar = Calendar.from_ical(ical.calendar_head(target.name, zone, window.start.date() - timedelta(days=366),
                                                     window.end.date()) + "END:VCALENDAR\r\n")
    for event in events:
        for component in ical.event_components(event, zone):
            calendar.add_component(component)
    return calendar.to_ical()


def timed(function, repeat: int) -> tuple[float, float, object]:
    """(median seconds, peak MiB, last result)."""
    samples, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - began)
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(samples), peak, result


def report(name: str, seconds: float, peak: float, baseline: float | None = None) -> None:
    ratio = f"  naive/this = {baseline / seconds:5.1f}" if baseline else ""
    print(f"{name:<22} {seconds * 1000:9.1f} ms   peak {peak:6.1f} MiB{ratio}")


def run(url: str, events: int, repeat: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    clock.freeze(NOW)
    with app.app_context():
        upgrade()
        owner = seed(events)
        secret = services.create_feed(owner, "district", None).secret
        lab_secret = services.create_feed(owner, "resource", db.session.scalar(select(Booking.resource_id))).secret
        with app.test_request_context("/"):
            target = resolve_target(owner, "district", None)
            window = feeds.window_for(district_zone())

            def cold():
                db.session.execute(delete(FeedEventCache))
                db.session.commit()
                return feeds.feed_body(owner, target, window)

            naive = timed(lambda: naive_body(owner, target, window), repeat)
            cold_run = timed(cold, repeat)
            warm = timed(lambda: feeds.feed_body(owner, target, window), repeat)
        client = app.test_client()
        path = f"/feeds/{secret}.ics"
        got = client.get(path)
        get200 = timed(lambda: client.get(path), repeat)
        get304 = timed(lambda: client.get(path, headers={"If-None-Match": got.headers["ETag"]}), repeat)
        assert get304[2].status_code == 304
        lab_path = f"/feeds/{lab_secret}.ics"
        lab_etag = client.get(lab_path).headers["ETag"]
        lab304 = timed(lambda: client.get(lab_path, headers={"If-None-Match": lab_etag}), repeat)
        assert lab304[2].status_code == 304
        count = warm[2].count(b"BEGIN:VEVENT")
        assert count == naive[2].count(b"BEGIN:VEVENT") == events, (count, events)
        print(f"{db.engine.dialect.name}: {count} VEVENTs, feed {len(warm[2]) / 2**20:.2f} MiB, median of {repeat}")
        report("naive icalendar build", naive[0], naive[1])
        report("ours, cold cache", cold_run[0], cold_run[1], naive[0])
        report("ours, warm cache", warm[0], warm[1], naive[0])
        report("GET 200 (warm)", get200[0], get200[1], naive[0])
        report("GET 304", get304[0], get304[1], naive[0])
        report("GET 304, one resource", lab304[0], lab304[1])
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--server", help="a PostgreSQL server URL; a database is created there and dropped")
    args = parser.parse_args()
    if not args.server:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/feed_bench.db", args.events, args.repeat)
        return
    from booking.config import normalise_database_url

    server = normalise_database_url(args.server)
    name = f"feed_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        run(server.rsplit("/", 1)[0] + f"/{name}", args.events, args.repeat)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
