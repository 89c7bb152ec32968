"""Calendar feed benchmark: a 5,000-event feed beside a naive icalendar build, and the district feed at scale.

    cd /work/main
    .venv/bin/python bench/feed_bench.py --server postgresql://postgres@127.0.0.1/postgres   # the full run
    .venv/bin/python bench/feed_bench.py                 # a temporary SQLite file, 20,000 bookings
    .venv/bin/python bench/feed_bench.py --events 5000 --bookings 1000000 --repeat 5

On PostgreSQL a database of its own is created on the server and dropped afterwards. One school's
feed of ``--events`` VEVENTs (the coordinator's: every detail): single bookings, plus weekly series of
20 dates with one moved date (an override) and one cancelled date (an EXDATE) each; every series
gives two VEVENTs (master + override). Then other schools' bookings fill the database up to
``--bookings`` rows, over two years around today. Measured, median of ``--repeat`` runs (memory:
tracemalloc peak of one further run):

- naive:         the school feed's events, each built as an icalendar Event and serialised in one
                 Calendar.to_ical() (what a feed costs without the line writer and the block cache)
- ours, cold:    feed_body with an empty block cache (writes every block and stores it); the ratio
                 cold/naive is the figure to keep at or below 0.5
- ours, warm:    feed_body with the cache filled (joins stored blocks; the normal case)
- GET 200 warm, GET 304: the HTTP endpoint (token lookup, validator, body / validator only)
- district feed: a coordinator's feed of the whole district (its window and event limit), cold,
                 warm and 304, with its size and peak memory
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from flask_migrate import upgrade  # noqa: E402
from icalendar import Calendar  # noqa: E402
from sqlalchemy import delete, func, insert, select, text  # noqa: E402

from bench.databases import throwaway_database  # noqa: E402
from booking import clock, create_app  # noqa: E402
from booking.accounts.models import Role  # noqa: E402
from booking.bookings.models import Booking, BookingSeries  # noqa: E402
from booking.calendars import district, feeds, ical, services  # noqa: E402
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
    return coordinator, school


OTHER_SCHOOLS, OTHER_RESOURCES = 40, 400
BULK = """
INSERT INTO bookings (resource_id, series_id, booked_by_id, school_id, starts_at, ends_at, status, blocks, quantity,
                      title, class_name, students, original_start, is_exception, cancel_reason, decision_reason,
                      created_at, updated_at, sequence, outcome_note)
SELECT r.ids[1 + n % {resources}], NULL, u.ids[1 + n % {schools}], s.ids[1 + n % {schools}],
       {start}, {start} + {forty}, CASE WHEN n % 20 = 0 THEN 'cancelled' ELSE 'confirmed' END, false, 1,
       '实验课 ' || n, (1 + n % 6) || '年级' || (1 + n % 4) || '班', 30, NULL, false, '', '', :now, :now, 0, ''
FROM {numbers}
"""


def bulk_fill(count: int, coordinator_id: int) -> None:
    """``count`` more bookings of other schools at other resources, evenly over the two years around NOW."""
    from tests import factories

    if count <= 0:
        return
    schools = [factories.school(name=f"村小{n}", bells=False) for n in range(OTHER_SCHOOLS)]
    users = [factories.user(school=school, display_name=f"老师{n}") for n, school in enumerate(schools)]
    resources = [factories.resource(owner_school=schools[n % OTHER_SCHOOLS], name=f"功能室{n}", hours=False).id
                 for n in range(OTHER_RESOURCES)]
    step = 2 * 365 * 24 * 3600 / count  # seconds between two bookings' starts
    arrays = "(SELECT array_agg(id ORDER BY id) AS ids FROM {table} WHERE id = ANY(:{table}))"
    sql = BULK.format(resources=OTHER_RESOURCES, schools=OTHER_SCHOOLS,
                      start=f"(:first + make_interval(secs => n * {step}))", forty="interval '40 minutes'",
                      numbers=f"generate_series(0, {count - 1}) AS n, {arrays.format(table='resources')} r, "
                              f"{arrays.format(table='users')} u, {arrays.format(table='schools')} s")
    db.session.execute(text(sql), {"first": NOW - timedelta(days=365), "now": NOW, "resources": resources,
                                   "users": [user.id for user in users], "schools": [school.id for school in schools]})
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def naive_body(owner, target, window) -> bytes:
    """The same events, built as one icalendar object tree (an Event per VEVENT) and serialised in one go."""
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


def report(name: str, seconds: float, peak: float, extra: str = "") -> None:
    print(f"{name:<26} {seconds * 1000:9.1f} ms   peak {peak:6.1f} MiB  {extra}")


def empty_cache() -> None:
    db.session.execute(delete(FeedEventCache))
    db.session.commit()


def school_feed(app, owner, school, repeat: int) -> None:
    secret = services.create_feed(owner, "school", school.id).secret
    with app.test_request_context("/"):
        target = resolve_target(owner, "school", school.id)
        window = feeds.window_for(district_zone())

        def cold():
            empty_cache()
            return feeds.feed_body(owner, target, window)

        naive = timed(lambda: naive_body(owner, target, window), repeat)
        cold_run = timed(cold, repeat)
        warm = timed(lambda: feeds.feed_body(owner, target, window), repeat)
    client = app.test_client()
    path = f"/feeds/{secret}.ics"
    etag = client.get(path).headers["ETag"]
    get200 = timed(lambda: client.get(path), repeat)
    get304 = timed(lambda: client.get(path, headers={"If-None-Match": etag}), repeat)
    assert get304[2].status_code == 304
    count = warm[2].count(b"BEGIN:VEVENT")
    assert count == naive[2].count(b"BEGIN:VEVENT") == cold_run[2].count(b"BEGIN:VEVENT"), count
    print(f"school feed: {count} VEVENTs, {len(warm[2]) / 2**20:.2f} MiB, median of {repeat}")
    report("naive icalendar build", naive[0], naive[1])
    report("ours, cold cache", cold_run[0], cold_run[1], f"cold/naive = {cold_run[0] / naive[0]:.2f} (goal <= 0.5)")
    report("ours, warm cache", warm[0], warm[1], f"warm/naive = {warm[0] / naive[0]:.2f}")
    report("GET 200 (warm)", get200[0], get200[1], f"x{get200[0] / naive[0]:.2f} naive")
    report("GET 304", get304[0], get304[1], f"x{get304[0] / naive[0]:.3f} naive, x{get304[0] / get200[0]:.3f} a 200")


def district_feed(app, owner, repeat: int) -> None:
    secret = services.create_feed(owner, "district", None).secret
    client = app.test_client()
    path = f"/feeds/{secret}.ics"

    def cold():
        empty_cache()
        return client.get(path)

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cold_run = timed(cold, repeat)
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    warm = timed(lambda: client.get(path), repeat)
    etag = warm[2].headers["ETag"]
    get304 = timed(lambda: client.get(path, headers={"If-None-Match": etag}), repeat)
    assert cold_run[2].status_code == warm[2].status_code == 200 and get304[2].status_code == 304
    body = warm[2].data
    with app.app_context():
        limits = district.limits()
    truncated = b"X-DISTRICT-SHARE-TRUNCATED" in body
    print(f"district feed: {body.count(b'BEGIN:VEVENT')} VEVENTs, {len(body) / 2**20:.2f} MiB "
          f"({len(body)} bytes), window {limits.weeks_back} weeks back to {limits.weeks_ahead} ahead, "
          f"limit {limits.max_events}{', truncated' if truncated else ''}; process max RSS grew {grown:.0f} MiB")
    report("district GET 200, cold", cold_run[0], cold_run[1], f"x{cold_run[0] / 2:.2f} the 2 s goal")
    report("district GET 200, warm", warm[0], warm[1])
    report("district GET 304", get304[0], get304[1], f"x{get304[0] / warm[0]:.3f} a warm 200")


def run(url: str, events: int, bookings: int, repeat: int) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    clock.freeze(NOW)
    with app.app_context():
        upgrade()
        owner, school = seed(events)
        began = time.perf_counter()
        bulk_fill(bookings - db.session.scalar(select(func.count()).select_from(Booking)), owner.id)
        total = db.session.scalar(select(func.count()).select_from(Booking))
        print(f"{db.engine.dialect.name}: {total} bookings ({time.perf_counter() - began:.0f} s to fill); "
              f"load average {os.getloadavg()[0]:.1f}")
        school_feed(app, owner, school, repeat)
        district_feed(app, owner, repeat)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--bookings", type=int, help="bookings in all (default 1,000,000 on PostgreSQL; "
                        "SQLite: the school feed's only)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--server", help="a PostgreSQL server URL; a database is created there and dropped")
    parser.add_argument("--prefix", default="feed_bench", help="the start of that database's name")
    args = parser.parse_args()
    if not args.server:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/feed_bench.db", args.events, 0, args.repeat)
        return
    from booking.config import normalise_database_url

    with throwaway_database(normalise_database_url(args.server), args.prefix) as url:
        run(url, args.events, args.bookings or 1_000_000, args.repeat)


if __name__ == "__main__":
    main()
