"""Booking benchmark on PostgreSQL with a million bookings: the write path beside its anchors. Prints figures; not a test.

    .venv/bin/python bench/booking_bench.py                      # local PostgreSQL, trust auth
    .venv/bin/python bench/booking_bench.py --server postgresql://postgres@127.0.0.1/postgres \\
        --rows 1000000 --resources 200 --samples 400 --levels 1,4,16 --workers 4 [--profile]

One run, against one freshly created database (dropped at the end, also on failure):
1. The real schema (Alembic migrations, so the exclusion constraint is there); ``bookings`` filled with
   ``--rows`` confirmed, blocking bookings (generate_series: 40 minutes every hour per resource, from
   100 days ago on), ``--chooser`` more resources of the same kind at 20 schools, then ANALYZE.
2. Like with like at 1, 4 and 16 clients: the raw constrained INSERT (psycopg, one transaction each,
   one connection per client) and the booking POST through gunicorn (``--workers`` sync workers):
   throughput, p50/p95/p99, and the ratio of throughput to raw at the same number of clients. The SQL
   statements and commits of one POST are counted in process (the same request through the app).
3. The service ``create_booking`` in process, and the booking page's POST in process (signed in, the form by
   clock time), each vs one raw INSERT (p50 ratio).
4. A 20-date weekly series POST through gunicorn vs the same series through the service.
5. A refused POST (409, with its alternatives searched among every resource of the kind) vs an accepted one.
6. The booking chooser /bookings/new with all the resources, signed in, vs the 150 ms goal.
``--profile`` adds pyinstrument's profiles of in-process booking POSTs, accepted and refused (where the time goes).
New bookings take the free 20 minutes after existing ones, so every check searches a dense index.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import psycopg  # noqa: E402
from sqlalchemy import event  # noqa: E402

from booking import create_app  # noqa: E402
from booking.extensions import db  # noqa: E402
from tests.gunicorn_server import gunicorn_server, post_json  # noqa: E402

SLOT = timedelta(hours=1)


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, int(len(ordered) * share) - 1))] * 1000
    return statistics.median(ordered) * 1000, at(0.95), at(0.99)


def report(name: str, samples: list[float], wall: float, anchor: str = "") -> tuple[float, float]:
    """One line: count, p50/p95/p99 (ms), throughput; returns (p50, throughput)."""
    p50, p95, p99 = percentiles(samples)
    rate = len(samples) / wall
    print(f"{name:<38} n={len(samples):<5} p50={p50:7.2f}  p95={p95:7.2f}  p99={p99:7.2f} ms  {rate:7.1f}/s  {anchor}")
    return p50, rate


def create_database(server: str) -> str:
    name = f"booking_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.rsplit("/", 1)[0] + f"/{name}"


def drop_database(server: str, url: str) -> None:
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def seed(app, resources: int, clients: int):
    """Schools, teachers with tokens, and exclusive resources always open (no hours, no approval)."""
    from booking.accounts.services import issue_token
    from tests import factories

    with app.app_context():
        school = factories.school()
        teacher = factories.user(school=school)
        tokens = [issue_token(factories.user(school=school), "bench")[1] for _ in range(clients)]
        ids = [factories.resource(hours=False, owner_school=school, capacity=None).id for _ in range(resources)]
        return teacher.id, school.id, tokens, ids


def fill(url: str, rows: int, resource_ids: list[int], user_id: int, school_id: int, first: datetime) -> float:
    """The million rows in one INSERT … SELECT; the exclusion constraint is dropped for it and added again
    after (building its index once is far quicker than row by row, and adding it checks every row)."""
    per_resource = rows // len(resource_ids)
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        constraints = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                                   " WHERE conrelid = 'bookings'::regclass AND contype = 'x'").fetchall()
        for name, _ in constraints:
            conn.execute(f'ALTER TABLE bookings DROP CONSTRAINT "{name}"')
        conn.execute(
            "INSERT INTO bookings (resource_id, booked_by_id, school_id, starts_at, ends_at, status, blocks, quantity,"
            " title, class_name, is_exception, cancel_reason, decision_reason, created_at, updated_at, sequence)"
            " SELECT r, %(user)s, %(school)s, %(first)s + n * interval '1 hour',"
            " %(first)s + n * interval '1 hour' + interval '40 minutes', 'confirmed', true, 1, 'bench', '', false,"
            " '', '', now(), now(), 0 FROM unnest(%(resources)s::int[]) r, generate_series(0, %(k)s - 1) n",
            {"user": user_id, "school": school_id, "first": first.replace(tzinfo=None), "resources": resource_ids,
             "k": per_resource})
        conn.commit()  # the rows' deferred triggers fire here: a table with pending ones cannot be altered
        for name, definition in constraints:
            conn.execute(f'ALTER TABLE bookings ADD CONSTRAINT "{name}" {definition}')
        conn.commit()
        conn.execute("ANALYZE")
    return time.perf_counter() - started


@contextmanager
def serving(url: str, workers: int, attempts: int = 3):
    """gunicorn as the race tests run it; on a loaded machine its start may miss the helper's 30 s: retried."""
    for attempt in range(attempts):
        server = gunicorn_server(url, workers=workers)
        try:
            base_url = server.__enter__()
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            continue
        try:
            yield base_url
        finally:
            server.__exit__(None, None, None)
        return


class Slots:
    """Hands out distinct free 20-minute slots (hh:40–hh+1:00) in the dense part of the calendar."""

    def __init__(self, resource_ids: list[int], first_free: datetime):
        self.resource_ids, self.first_free, self.next = resource_ids, first_free, 0

    def take(self) -> tuple[int, datetime, datetime]:
        resource = self.resource_ids[self.next % len(self.resource_ids)]
        start = self.first_free + SLOT * (self.next // len(self.resource_ids)) + timedelta(minutes=40)
        self.next += 1
        return resource, start, start + timedelta(minutes=20)


RAW_INSERT = ("INSERT INTO bookings (resource_id, booked_by_id, school_id, starts_at, ends_at, status, blocks,"
              " quantity, title, class_name, is_exception, cancel_reason, decision_reason, created_at, updated_at,"
              " sequence) VALUES (%s, %s, %s, %s, %s, 'confirmed', true, 1, 'raw', '', false, '', '', now(), now(), 0)")


def run_clients(clients: int, jobs: list, one) -> tuple[list[float], float]:
    """``one(job, client_number)`` for every job, ``clients`` at a time: the latencies and the wall time."""
    wall = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        latencies = list(pool.map(one, jobs, [i % clients for i in range(len(jobs))]))
    return latencies, time.perf_counter() - wall


def bench_raw(url: str, slots: Slots, samples: int, user_id: int, school_id: int, clients: int = 1):
    """The anchor: one constrained INSERT per transaction, each client on its own connection."""
    connections = [psycopg.connect(url, autocommit=True) for _ in range(clients)]

    def one(job, client):
        resource, start, end = job
        began = time.perf_counter()
        connections[client].execute(RAW_INSERT, (resource, user_id, school_id, start.replace(tzinfo=None),
                                                 end.replace(tzinfo=None)))
        return time.perf_counter() - began
    try:
        return run_clients(clients, [slots.take() for _ in range(samples)], one)
    finally:
        for connection in connections:
            connection.close()


def bench_service(app, slots: Slots, samples: int, user_id: int) -> tuple[list[float], float]:
    from booking.accounts.models import User
    from booking.bookings.planning import BookingInput
    from booking.bookings.services import create_booking

    latencies = []
    with app.app_context():
        wall = time.perf_counter()
        for _ in range(samples):
            resource, start, end = slots.take()
            began = time.perf_counter()
            teacher = db.session.get(User, user_id)  # as a request: a fresh session, committed at the end
            create_booking(teacher, BookingInput(resource_id=resource, title="service", start=start, end=end))
            db.session.commit()
            db.session.remove()
            latencies.append(time.perf_counter() - began)
        return latencies, time.perf_counter() - wall


def bench_page(app, email: str, password: str, slots: Slots, samples: int) -> tuple[list[float], float]:
    """The booking page's POST (/bookings/new/<id>, by clock time) through the app in process, signed in."""
    from booking.i18n import district_zone

    client = app.test_client()
    latencies = []
    with app.app_context():
        zone = district_zone()
        if client.post("/login", data={"email": email, "password": password}).status_code != 302:
            raise RuntimeError("sign-in failed")
        wall = time.perf_counter()
        for _ in range(samples):
            resource, start, end = slots.take()
            local_start, local_end = start.astimezone(zone), end.astimezone(zone)
            while local_end.date() != local_start.date():
                resource, start, end = slots.take()  # the form books within one local day
                local_start, local_end = start.astimezone(zone), end.astimezone(zone)
            form = {"when_mode": "time", "day": local_start.date().isoformat(), "start_time": f"{local_start:%H:%M}",
                    "end_time": f"{local_end:%H:%M}", "title": "page", "class_name": "", "students": ""}
            began = time.perf_counter()
            answer = client.post(f"/bookings/new/{resource}", data=form)
            latencies.append(time.perf_counter() - began)
            if answer.status_code != 302:
                raise RuntimeError(f"page POST: HTTP {answer.status_code}")
        return latencies, time.perf_counter() - wall


def booking_body(resource: int, start: datetime, end: datetime, **extra) -> dict:
    return {"resource_id": resource, "title": "http", "start": start.isoformat(), "end": end.isoformat(), **extra}


def bench_http(base_url: str, jobs: list, tokens: list[str], clients: int, expect: int = 201):
    def one(job, client):
        began = time.perf_counter()
        status, answer = post_json(f"{base_url}/api/v1/bookings", job, tokens[client % len(tokens)])
        if status != expect:
            raise RuntimeError(f"HTTP {status}: {answer}")
        return time.perf_counter() - began
    return run_clients(clients, jobs, one)


@contextmanager
def counted(app):
    """The SQL statements and commits run inside (engine-wide, every connection)."""
    counts = {"sql": 0, "commits": 0}

    def statement(*args):
        counts["sql"] += 1

    def commit(*args):
        counts["commits"] += 1
    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield counts
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)


def request_counts(app, body: dict, token: str, expect: int) -> str:
    """The same POST through the app in process, counted (the token used just before: its last use is
    written at most every few minutes, in a transaction of its own)."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        client.get("/api/v1/bookings?limit=1", headers=headers)
        with counted(app) as counts:
            response = client.post("/api/v1/bookings", json=body, headers=headers)
    if response.status_code != expect:
        raise RuntimeError(f"in process: HTTP {response.status_code}: {response.get_json()}")
    return f"{counts['sql']} SQL, {counts['commits']} commit(s) per request"


def series_body(resource: int, start: datetime) -> dict:
    return booking_body(resource, start, start + timedelta(minutes=20), outside_term_ok=True,
                        recurrence={"rrule": "FREQ=WEEKLY;COUNT=20"})


def bench_series_service(app, resources: list[int], user_id: int, start: datetime) -> list[float]:
    from booking.accounts.models import User
    from booking.bookings.planning import BookingInput
    from booking.bookings.services import create_booking

    latencies = []
    with app.app_context():
        for resource in resources:
            began = time.perf_counter()
            created = create_booking(db.session.get(User, user_id), BookingInput(
                resource_id=resource, title="series", start=start, end=start + timedelta(minutes=20),
                rrule="FREQ=WEEKLY;COUNT=20", outside_term_ok=True))
            db.session.commit()
            db.session.remove()
            latencies.append(time.perf_counter() - began)
            assert len(created.bookings) == 20
    return latencies


def add_chooser_resources(url: str, template_id: int, count: int, school_ids: list[int]) -> list[int]:
    """``count`` copies of the template resource (same kind, no hours), spread over ``school_ids``."""
    from booking.resources.models import Resource

    columns = [c.name for c in Resource.__table__.columns if c.name not in ("id", "name", "owner_school_id")]
    listed = ", ".join(columns)
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            f"INSERT INTO resources (name, owner_school_id, {listed}) SELECT 'bench room ' || n,"
            f" (%(schools)s::int[])[1 + n %% cardinality(%(schools)s::int[])], {listed}"
            " FROM resources, generate_series(1, %(count)s) n WHERE id = %(template)s RETURNING id",
            {"schools": school_ids, "count": count, "template": template_id}).fetchall()
        conn.commit()
        conn.execute("ANALYZE resources")
    return [row[0] for row in rows]


def bench_chooser(app, email: str, password: str, samples: int) -> list[float]:
    client = app.test_client()
    with app.app_context():
        answer = client.post("/login", data={"email": email, "password": password})
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in failed: {answer.status_code}")
        latencies = []
        for number in range(samples):
            began = time.perf_counter()
            page = client.get(f"/bookings/new?page={1 + number % 5}")
            latencies.append(time.perf_counter() - began)
            if page.status_code != 200:
                raise RuntimeError(f"chooser: HTTP {page.status_code}")
    return latencies


def profile_posts(app, bodies: list[dict], token: str, expect: int) -> None:
    """pyinstrument's profile of in-process POSTs of ``bodies``, each answered ``expect``."""
    from pyinstrument import Profiler

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    profiler = Profiler(interval=0.0005)
    with app.app_context():
        profiler.start()
        for body in bodies:
            response = client.post("/api/v1/bookings", json=body, headers=headers)
            if response.status_code != expect:
                raise RuntimeError(f"profile: HTTP {response.status_code}, expected {expect}")
        profiler.stop()
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def ratio(value: float, anchor: float, what: str) -> str:
    return f"x{value / anchor:5.2f} {what}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--chooser", type=int, default=2000, help="resources in the chooser (and the refusal's search)")
    parser.add_argument("--samples", type=int, default=400)
    parser.add_argument("--levels", default="1,4,16", help="numbers of concurrent clients")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's profile of in-process POSTs")
    args = parser.parse_args()
    levels = [int(n) for n in args.levels.split(",")]

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
          "(other work on the machine skews every figure)")
    url = create_database(args.server)
    sqlalchemy_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        user_id, school_id, tokens, resource_ids = seed(app, args.resources, max(levels))
        hour = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        first = hour - timedelta(days=100)
        seconds = fill(url, args.rows, resource_ids, user_id, school_id, first)
        chooser_ids, email, password = seed_chooser(app, url, resource_ids[0], args.chooser)
        page_email = page_teacher(app, school_id, password)
        print(f"filled {args.rows:,} bookings on {args.resources} resources in {seconds:.1f} s (exclusion constraint on);"
              f" {len(chooser_ids) + args.resources:,} resources of the kind")
        slots = Slots(resource_ids, hour + timedelta(days=1))  # free slots in the dense, future part
        print("\n-- a booking: raw constrained INSERT vs POST /api/v1/bookings through gunicorn "
              f"({args.workers} sync workers)")
        with serving(sqlalchemy_url, args.workers) as base_url:
            for clients in levels:
                raw, raw_wall = bench_raw(url, slots, args.samples, user_id, school_id, clients)
                _, raw_rate = report(f"raw INSERT, {clients} client(s)", raw, raw_wall)
                jobs = [booking_body(*slots.take()) for _ in range(args.samples)]
                http, http_wall = bench_http(base_url, jobs, tokens, clients)
                report(f"HTTP POST, {clients} client(s)", http, http_wall,
                       ratio(len(http) / http_wall, raw_rate, "raw throughput (goal >= 0.25)"))
            resource, start, end = slots.take()
            print(" " * 39 + request_counts(app, booking_body(resource, start, end), tokens[0], 201))

            print("\n-- the service and the booking page's POST in process vs one raw INSERT (1 client)")
            raw, raw_wall = bench_raw(url, slots, args.samples // 2, user_id, school_id)
            raw_p50, _ = report("raw INSERT, 1 client", raw, raw_wall)
            service, service_wall = bench_service(app, slots, args.samples // 2, user_id)
            report("service create_booking", service, service_wall,
                   ratio(statistics.median(service) * 1000, raw_p50, "raw p50 (goal <= 5)"))
            page, page_wall = bench_page(app, page_email, password, slots, args.samples // 2)
            report("page POST /bookings/new/<id>", page, page_wall,
                   ratio(statistics.median(page) * 1000, raw_p50, "raw p50 (goal <= 5)"))

            print("\n-- a 20-date weekly series: POST vs the service")
            series_start = hour + timedelta(days=200, minutes=40)
            count = 10
            series_jobs = [series_body(r, series_start) for r in chooser_ids[:count]]
            series_http, series_wall = bench_http(base_url, series_jobs, tokens, 1)
            series_service = bench_series_service(app, chooser_ids[count:2 * count], user_id, series_start)
            report("series service", series_service, sum(series_service))
            report("series HTTP POST", series_http, series_wall,
                                 ratio(statistics.median(series_http), statistics.median(series_service),
                                       "service p50 (goal <= 1.5)"))
            print(" " * 39 + request_counts(app, series_body(chooser_ids[2 * count], series_start), tokens[0], 201))

            print(f"\n-- a refusal (409, alternatives among {len(chooser_ids) + args.resources:,} resources) "
                  "vs an acceptance, 1 client")
            free = [booking_body(*slots.take()) for _ in range(args.samples // 4)]
            accepted, accepted_wall = bench_http(base_url, free, tokens, 1)
            taken = free  # the same slots again: each now clashes
            refused, refused_wall = bench_http(base_url, taken, tokens, 1, expect=409)
            accepted_p50, _ = report("accepted POST (201)", accepted, accepted_wall)
            report("refused POST (409)", refused, refused_wall,
                   ratio(statistics.median(refused) * 1000, accepted_p50, "acceptance p50 (goal <= 2)"))
            print(" " * 39 + request_counts(app, taken[0], tokens[0], 409))

        print(f"\n-- the booking chooser /bookings/new, {len(chooser_ids) + args.resources:,} resources, signed in")
        chooser = bench_chooser(app, email, password, 30)
        chooser_p50, _ = report("chooser page", chooser, sum(chooser), "")
        print(" " * 39 + ratio(chooser_p50, 150, "the 150 ms goal"))
        if args.profile:
            print("\n-- profile of in-process booking POSTs (201)")
            accepted_bodies = [booking_body(*slots.take()) for _ in range(100)]
            profile_posts(app, accepted_bodies, tokens[0], 201)
            print("\n-- profile of in-process refused POSTs (409, the same slots again)")
            profile_posts(app, accepted_bodies, tokens[0], 409)
        print(f"\nload average {os.getloadavg()[0]:.1f} at the end")
    finally:
        drop_database(args.server, url)


def page_teacher(app, school_id: int, password: str) -> str:
    """A teacher of the bench resources' school who signs in to the booking page."""
    from tests import factories

    with app.app_context():
        return factories.user(school_id=school_id, password=password).email


def seed_chooser(app, url: str, template_id: int, count: int) -> tuple[list[int], str, str]:
    """20 more schools with ``count`` resources of the kind, and a teacher who signs in to the chooser."""
    from tests import factories

    with app.app_context():
        schools = [factories.school().id for _ in range(20)]
        teacher = factories.user(school_id=schools[0], password="bench-pass-1")
        email = teacher.email
    return add_chooser_resources(url, template_id, count, schools), email, "bench-pass-1"


if __name__ == "__main__":
    main()
