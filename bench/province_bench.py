"""Province-sized bench on PostgreSQL: each request beside raw SQL doing the same work, and beside one district.

    .venv/bin/python bench/province_bench.py                 # 50 districts, 1,500 schools, 10,000 rooms, 10M bookings
    .venv/bin/python bench/province_bench.py --scale 0.01    # the same at 1/100, about a minute
    .venv/bin/python bench/province_bench.py --server postgresql://postgres@127.0.0.1/postgres --prefix x_province \\
        [--samples 40] [--repeats 3] [--template MIGRATED_DB] [--keep] [--reuse]

One run: the schema migrated once by Alembic (or copied from ``--template``, a migrated database nobody is
connected to), copied into two databases, ``<prefix>_province`` and ``<prefix>_district`` (the province's first
district alone, same data), both filled by bench/province_data.py (set-based SQL), then, for each:
1. a booking POST (/api/v1/bookings with a token, in process through the app: auth, rules, guarantee, audit,
   one commit) on a free bell period between booked ones, beside the raw constrained INSERT;
2. the day grid (/bookings/day, a teacher signed in, one school's rooms) beside the SELECT of those rooms'
   bookings that day and the school's bells;
3. the school feed (/feeds/<secret>.ics, its event cache emptied first) beside the SELECT of its rows;
4. the district report (/reports/, the first district's coordinator, the current term) and
5. the county report (/reports/county/, the county coordinator), each cold (report cache emptied) beside the
   very GROUP BYs the request ran, replayed on the driver (bench/report_pages.py), and the county report beside
   the hand-written split GROUP BY of bench/report_bench.py too.
POST and grid alternate between the two databases sample by sample, so the machine's load hits both alike.
Goals: POST and grid within 1.2× of the one-district database; the county report ≤ 2 s. The databases are
dropped at the end (also on failure) unless ``--keep``; ``--reuse`` measures the two a ``--keep`` run left (same
``--prefix`` and ``--scale``), without building. On a shared machine only the ratios mean much.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from bench import province_data  # noqa: E402
from bench.booking_bench import RAW_INSERT, booking_body, percentiles  # noqa: E402
from bench.province_data import BELLS, LESSON_MINUTES, PASSWORD, UTC_OFFSET_HOURS, Shape, slot_start  # noqa: E402

ZONE = ZoneInfo("Asia/Shanghai")
POST_GOAL, COUNTY_GOAL = 1.2, 2.0


class FreePeriods:
    """Free bell periods of the first district's rooms from the day after tomorrow on: room i (in id order) is
    booked on every period n with n % 2 == i % 2, so period n is free for the rooms of the other parity."""

    def __init__(self, resource_ids: list[int], monday: date, today: date):
        days = (today - monday).days + 2
        weekdays = days // 7 * 5 + min(days % 7, 5)
        self.resource_ids, self.monday, self.n, self.rank = resource_ids, monday, weekdays * len(BELLS), 0

    def take(self) -> tuple[int, datetime, datetime]:
        while True:
            rank, n = self.rank, self.n
            self.rank = (rank + 1) % len(self.resource_ids)
            self.n += self.rank == 0
            if n % 2 != rank % 2:
                start = (slot_start(self.monday, n) - timedelta(hours=UTC_OFFSET_HOURS)).replace(tzinfo=timezone.utc)
                return self.resource_ids[rank], start, start + timedelta(minutes=LESSON_MINUTES)


@dataclass
class Side:
    """One database: its app, its data's ids, a signed-in client per role, the POST token and slots."""

    name: str
    url: str
    app: object
    built: province_data.Built
    slots: FreePeriods
    token: str = ""
    feed: str = ""
    clients: dict | None = None


def sign_in(app, email: str):
    client = app.test_client()
    answer = client.post("/login", data={"email": email, "password": PASSWORD})
    if answer.status_code != 302:
        raise RuntimeError(f"sign-in of {email} failed: HTTP {answer.status_code}")
    return client


def prepare(side: Side) -> None:
    from booking.accounts.models import User
    from booking.accounts.services import issue_token
    from booking.calendars import services
    from booking.extensions import db

    with side.app.app_context():
        teacher = db.session.get(User, side.built.teacher_id)
        side.token = issue_token(teacher, "bench")[1]
        side.feed = services.create_feed(teacher, "school", side.built.school_id).secret
        db.session.commit()
    built = side.built
    side.clients = {"teacher": sign_in(side.app, built.teacher_email), "head": sign_in(side.app, built.head_email),
                    "county": sign_in(side.app, built.county_email)}


# --- one sample of each measured request, and of its anchor ----------------------------------------------

def timed(work) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def expect(response, status: int, what: str):
    if response.status_code != status:
        raise RuntimeError(f"{what}: HTTP {response.status_code} {response.get_data(as_text=True)[:300]}")
    return response


def post_booking(side: Side) -> float:
    body = booking_body(*side.slots.take())
    headers = {"Authorization": f"Bearer {side.token}"}
    return timed(lambda: expect(side.clients["teacher"].post("/api/v1/bookings", json=body, headers=headers),
                                201, "booking POST"))


def raw_insert(side: Side, conn) -> float:
    resource, start, end = side.slots.take()
    values = (resource, side.built.teacher_id, side.built.school_id, start.replace(tzinfo=None), end.replace(tzinfo=None))
    return timed(lambda: conn.execute(RAW_INSERT, values))


def grid_day(side: Side) -> date:
    """The weekday after tomorrow: a booked day (every other period of every room)."""
    day = datetime.now(ZONE).date() + timedelta(days=2)
    return day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() > 4 else 0)


def day_grid(side: Side) -> float:
    url = f"/bookings/day?school={side.built.school_id}&day={grid_day(side).isoformat()}"
    return timed(lambda: expect(side.clients["teacher"].get(url), 200, "day grid"))


def raw_grid(side: Side, conn) -> float:
    day = grid_day(side)
    start = datetime.combine(day, datetime.min.time()) - timedelta(hours=UTC_OFFSET_HOURS)

    def work():
        conn.execute("SELECT b.id, b.resource_id, b.starts_at, b.ends_at, b.status, b.title, b.class_name, s.name"
                     " FROM bookings b JOIN resources r ON r.id = b.resource_id JOIN schools s ON s.id = b.school_id"
                     " WHERE r.owner_school_id = %s AND b.status IN ('confirmed', 'pending')"
                     " AND b.starts_at < %s AND b.ends_at > %s", (side.built.school_id, start + timedelta(days=1),
                                                                   start)).fetchall()
        conn.execute("SELECT number, start_time, end_time FROM bell_periods WHERE school_id = %s ORDER BY number",
                     (side.built.school_id,)).fetchall()
    return timed(work)


def school_feed(side: Side) -> float:
    from bench.feed_bench import empty_cache

    with side.app.app_context():
        empty_cache()  # cold: every event built
    return timed(lambda: expect(side.clients["teacher"].get(f"/feeds/{side.feed}.ics"), 200, "school feed"))


def raw_feed(side: Side, conn) -> float:
    from booking.calendars.feeds import CANCELLED_SHOWN_DAYS, DAYS_AHEAD, DAYS_BACK

    today = datetime.now(ZONE).date()
    midnight = datetime.combine(today, datetime.min.time()) - timedelta(hours=UTC_OFFSET_HOURS)
    window = (midnight - timedelta(days=DAYS_BACK), midnight + timedelta(days=DAYS_AHEAD),
              midnight - timedelta(days=CANCELLED_SHOWN_DAYS))
    return timed(lambda: conn.execute(
        "SELECT b.*, r.name, o.name, s.name, u.display_name FROM bookings b JOIN resources r ON r.id = b.resource_id"
        " JOIN schools o ON o.id = r.owner_school_id JOIN schools s ON s.id = b.school_id"
        " JOIN users u ON u.id = b.booked_by_id"
        # The school's rooms by id, as the app asks (booking/calendars/targets.py): both indexes usable.
        " WHERE (b.school_id = %(s)s OR b.resource_id = ANY(ARRAY(SELECT id FROM resources WHERE owner_school_id = %(s)s)))"
        " AND b.starts_at < %(end)s AND b.ends_at > %(start)s"
        " AND (b.status IN ('confirmed', 'pending') OR b.updated_at >= %(since)s)",
        {"s": side.built.school_id, "start": window[0], "end": window[1], "since": window[2]}).fetchall())


def report_page(side: Side, role: str, path: str, repeats: int) -> dict:
    """Cold and warm medians and the replayed GROUP BYs (bench/report_pages.py), for the current term."""
    from bench.report_pages import _request

    first, last = side.built.term
    with side.app.app_context():
        figures = _request(side.clients[role], f"{path}?start={first.isoformat()}&end={last.isoformat()}", repeats)
    if figures["status"] != 200:
        raise RuntimeError(f"{path}: HTTP {figures['status']}")
    return figures


def hand_written_split(side: Side, conn, repeats: int) -> float:
    """report_bench's split GROUP BY (hours by school, source, kind, basis) over the term: the county's raw work."""
    from bench.report_bench import RAW_SQL

    first, last = side.built.term
    start = datetime.combine(first, datetime.min.time()) - timedelta(hours=UTC_OFFSET_HOURS)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time()) - timedelta(hours=UTC_OFFSET_HOURS)
    statement = RAW_SQL["postgresql"].replace(":start", "%(start)s").replace(":end", "%(end)s").replace(
        ":now", "%(now)s")
    bounds = {"start": start, "end": end, "now": datetime.now(timezone.utc).replace(tzinfo=None)}
    return statistics.median(timed(lambda: conn.execute(statement, bounds).fetchall()) for _ in range(repeats))


# --- the run ---------------------------------------------------------------------------------------------

def alternate(sides: list[Side], measure, samples: int) -> list[list[float]]:
    """``measure(side)`` ``samples`` times per side, side after side, after one warm-up each."""
    for side in sides:
        measure(side)
    found: list[list[float]] = [[] for _ in sides]
    for _ in range(samples):
        for index, side in enumerate(sides):
            found[index].append(measure(side))
    return found


def line(what: str, value: float, anchor_name: str, anchor: float, single: float | None, goal: str = "") -> None:
    single_text = f"{single * 1000:9.1f} ms  ×{value / single:5.2f}" if single else " " * 19
    print(f"{what:<26} {value * 1000:9.1f} ms   {anchor_name:<24} {anchor * 1000:9.1f} ms  ×{value / anchor:6.2f}"
          f"   {single_text}  {goal}")


def measure_requests(province: Side, district: Side, samples: int, connections: dict) -> None:
    both = [province, district]
    print(f"\n{'request (province)':<26} {'app':>12}   {'raw SQL anchor':<24} {'anchor':>12}  {'×anchor':>7}"
          f"   {'one district':>12}  {'×one':>6}  goal")
    for what, measure, anchor, goal in (
            ("booking POST, p50", post_booking, raw_insert, POST_GOAL),
            ("day grid, p50", day_grid, raw_grid, POST_GOAL),
            ("school feed (cold), p50", school_feed, raw_feed, None)):
        app_times = alternate(both, measure, samples)
        raw_times = alternate([province], lambda side, raw=anchor: raw(side, connections[side.name]),
                              samples)[0]
        p50, single = (percentiles(times)[0] / 1000 for times in app_times)
        verdict = ""
        if goal:
            verdict = f"≤ {goal}× one district: {'met' if p50 / single <= goal else 'NOT met'}"
        line(what, p50, anchor.__name__.replace("_", " "), percentiles(raw_times)[0] / 1000, single, verdict)


def measure_reports(province: Side, district: Side, repeats: int, connections: dict) -> None:
    county = 0.0
    for what, role, path in (("district report (cold)", "head", "/reports/"),
                             ("county report (cold)", "county", "/reports/county/")):
        figures, single = (report_page(side, role, path, repeats) for side in (province, district))
        verdict = ""
        if role == "county":
            county = figures["cold"]
            verdict = f"≤ {COUNTY_GOAL:.0f} s: {'met' if county <= COUNTY_GOAL else 'NOT met'}"
        line(what, figures["cold"], f"its {figures['group_bys']} GROUP BYs replayed", figures["anchor"],
             single["cold"], verdict)
        print(f"{'  warm (cache holding)':<26} {figures['warm'] * 1000:9.1f} ms   page {figures['kb']:.0f} KB")
    line("  the same county report", county, "hand-written split", hand_written_split(
        province, connections[province.name], repeats), None)


def make_side(name: str, url: str, shape: Shape, today: date, reuse: bool) -> Side:
    from booking import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
                      "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "DISTRICT_TIMEZONE": "Asia/Shanghai"})
    built = province_data.described(url, shape, today) if reuse else province_data.build(app, url, shape, today)
    print(f"{name:<9} {shape.districts} districts, {shape.schools:,} schools, {shape.resources:,} resources, "
          f"{built.bookings:,} bookings; " + ("kept from a previous run" if reuse else f"built in {built.seconds:.0f} s"))
    return Side(name, url, app, built, FreePeriods(built.resource_ids, built.first_monday, today))


def migrated_template(server: str, prefix: str, given: str | None) -> tuple[str, bool]:
    """The name of a migrated database to copy, and whether this run made it (and drops it)."""
    if given:
        return given, False
    from flask_migrate import upgrade

    from booking import create_app
    from booking.extensions import db

    name = f"{prefix}_schema"
    admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url(server, name).replace(
        "postgresql://", "postgresql+psycopg://", 1), "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return name, True


def admin(server: str, *statements: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def database_url(server: str, name: str) -> str:
    return server.rsplit("/", 1)[0] + f"/{name}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres"))
    parser.add_argument("--scale", type=float, default=1.0, help="share of the province (0.01: 100,000 bookings)")
    parser.add_argument("--samples", type=int, default=40, help="POSTs, grids and feeds per database")
    parser.add_argument("--repeats", type=int, default=3, help="cold report pages per database")
    parser.add_argument("--prefix", default=f"province_bench_{uuid.uuid4().hex[:6]}")
    parser.add_argument("--template", help="a migrated database to copy instead of migrating one")
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    parser.add_argument("--reuse", action="store_true", help="measure the databases a --keep run left")
    args = parser.parse_args(argv)
    server = args.server.replace("postgresql+psycopg://", "postgresql://", 1)
    shape = Shape.scaled(args.scale)
    today = datetime.now(ZONE).date()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start (other work on the machine "
          "skews every figure; the ratios hold better)")
    template, made = ("", False) if args.reuse else migrated_template(server, args.prefix, args.template)
    names = {"province": f"{args.prefix}_province", "district": f"{args.prefix}_district"}
    try:
        for name in [] if args.reuse else names.values():
            admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        sides = [make_side(side, database_url(server, name), size, today, args.reuse)
                 for (side, name), size in zip(names.items(), (shape, shape.one_district()))]
        for side in sides:
            prepare(side)
        connections = {side.name: psycopg.connect(side.url, autocommit=True) for side in sides}
        try:
            measure_requests(*sides, args.samples, connections)
            measure_reports(*sides, args.repeats, connections)
        finally:
            for conn in connections.values():
                conn.close()
            for side in sides:
                with side.app.app_context():
                    from booking.extensions import db

                    db.engine.dispose()
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    finally:
        dropped = [] if args.keep else list(names.values())
        admin(server, *(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in dropped + [template] * made))


if __name__ == "__main__":
    main()
