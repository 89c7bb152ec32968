"""Booking benchmark on PostgreSQL with a million bookings. Prints figures; not a test.

    cd /work/main
    .venv/bin/python bench/booking_bench.py                      # local PostgreSQL, trust auth
    .venv/bin/python bench/booking_bench.py --server postgresql://postgres@127.0.0.1/postgres \\
        --rows 1000000 --resources 200 --samples 600 --clients 16 --workers 4

What it does, in one run against one freshly created database (dropped at the end):
1. Builds the real schema (the Alembic migrations, so the exclusion constraint is there) and
   fills `bookings` with ``--rows`` confirmed, blocking bookings (generate_series: 40 minutes
   every hour per resource, from 100 days ago on), then ANALYZE.
2. Raw baseline: single-row INSERTs with psycopg into the same constrained table, one
   transaction each.
3. Service layer: ``create_booking`` (validation, candidate query, rules, insert, audit, commit).
4. HTTP: gunicorn with ``--workers`` processes, ``--clients`` concurrent clients POSTing to
   /api/v1/bookings with API tokens.
5. A 20-date weekly series through the service: time and number of SQL statements.
New bookings take the free 20 minutes after existing ones, so every check searches a dense index.
Latencies are per booking: p50/p95 in milliseconds; ratios compare medians with the raw INSERT.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000


def report(name: str, samples: list[float], wall: float, baseline: float | None = None) -> float:
    p50, p95 = percentiles(samples)
    ratio = f"  x{p50 / baseline:5.1f} raw" if baseline else ""
    print(f"{name:<34} n={len(samples):<5} p50={p50:7.2f} ms  p95={p95:7.2f} ms  {len(samples) / wall:7.1f}/s{ratio}")
    return p50


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
    per_resource = rows // len(resource_ids)
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO bookings (resource_id, booked_by_id, school_id, starts_at, ends_at, status, blocks, quantity,"
            " title, class_name, is_exception, cancel_reason, decision_reason, created_at, updated_at, sequence)"
            " SELECT r, %(user)s, %(school)s, %(first)s + n * interval '1 hour',"
            " %(first)s + n * interval '1 hour' + interval '40 minutes', 'confirmed', true, 1, 'bench', '', false,"
            " '', '', now(), now(), 0 FROM unnest(%(resources)s::int[]) r, generate_series(0, %(k)s - 1) n",
            {"user": user_id, "school": school_id, "first": first.replace(tzinfo=None), "resources": resource_ids,
             "k": per_resource})
        conn.commit()
        conn.execute("ANALYZE")
    return time.perf_counter() - started


class Slots:
    """Hands out distinct free 20-minute slots (hh:40–hh+1:00) in the dense part of the calendar."""

    def __init__(self, resource_ids: list[int], first_free: datetime):
        self.resource_ids, self.first_free, self.next = resource_ids, first_free, 0

    def take(self) -> tuple[int, datetime, datetime]:
        resource = self.resource_ids[self.next % len(self.resource_ids)]
        start = self.first_free + SLOT * (self.next // len(self.resource_ids)) + timedelta(minutes=40)
        self.next += 1
        return resource, start, start + timedelta(minutes=20)


def bench_raw(url: str, slots: Slots, samples: int, user_id: int, school_id: int) -> tuple[list[float], float]:
    latencies = []
    wall = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        for _ in range(samples):
            resource, start, end = slots.take()
            began = time.perf_counter()
            conn.execute(
                "INSERT INTO bookings (resource_id, booked_by_id, school_id, starts_at, ends_at, status, blocks,"
                " quantity, title, class_name, is_exception, cancel_reason, decision_reason, created_at, updated_at,"
                " sequence) VALUES (%s, %s, %s, %s, %s, 'confirmed', true, 1, 'raw', '', false, '', '', now(), now(), 0)",
                (resource, user_id, school_id, start.replace(tzinfo=None), end.replace(tzinfo=None)))
            latencies.append(time.perf_counter() - began)
    return latencies, time.perf_counter() - wall


def bench_service(app, slots: Slots, samples: int, user_id: int) -> tuple[list[float], float]:
    from booking.accounts.models import User
    from booking.bookings.planning import BookingInput
    from booking.bookings.services import create_booking

    latencies = []
    with app.app_context():
        teacher = db.session.get(User, user_id)
        wall = time.perf_counter()
        for _ in range(samples):
            resource, start, end = slots.take()
            began = time.perf_counter()
            create_booking(teacher, BookingInput(resource_id=resource, title="service", start=start, end=end))
            latencies.append(time.perf_counter() - began)
        return latencies, time.perf_counter() - wall


def bench_http(url: str, slots: Slots, samples: int, tokens: list[str], workers: int) -> tuple[list[float], float]:
    jobs = [slots.take() for _ in range(samples)]

    def one(job_and_token):
        (resource, start, end), token = job_and_token
        body = {"resource_id": resource, "title": "http", "start": start.isoformat(), "end": end.isoformat()}
        began = time.perf_counter()
        status, answer = post_json(f"{base_url}/api/v1/bookings", body, token)
        if status != 201:
            raise RuntimeError(f"HTTP {status}: {answer}")
        return time.perf_counter() - began

    with gunicorn_server(url, workers=workers) as base_url:
        wall = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
            latencies = list(pool.map(one, [(job, tokens[i % len(tokens)]) for i, job in enumerate(jobs)]))
        return latencies, time.perf_counter() - wall


def bench_series(app, resource_id: int, user_id: int, start: datetime) -> None:
    from booking.accounts.models import User
    from booking.bookings.planning import BookingInput
    from booking.bookings.services import create_booking

    statements: list[str] = []
    with app.app_context():
        teacher = db.session.get(User, user_id)
        listener = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        began = time.perf_counter()
        created = create_booking(teacher, BookingInput(resource_id=resource_id, title="series", start=start,
                                                       end=start + timedelta(minutes=20),
                                                       rrule="FREQ=WEEKLY;COUNT=20"))
        elapsed = time.perf_counter() - began
        event.remove(db.engine, "before_cursor_execute", listener)
    checks = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM bookings" in s]
    print(f"{'20-date series (service)':<34} {len(created.bookings)} dates in {elapsed * 1000:.1f} ms; "
          f"{len(statements)} SQL statements, {len(checks)} of them reading bookings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/postgres"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resources", type=int, default=200)
    parser.add_argument("--samples", type=int, default=600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start "
          "(other work on the machine skews every figure)")
    url = create_database(args.server)
    sqlalchemy_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url, "SECRET_KEY": "bench"})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        user_id, school_id, tokens, resource_ids = seed(app, args.resources, args.clients)
        hour = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        first = hour - timedelta(days=100)
        seconds = fill(url, args.rows, resource_ids, user_id, school_id, first)
        print(f"filled {args.rows:,} bookings on {args.resources} resources in {seconds:.1f} s (exclusion constraint on)")
        # Free slots in the dense, future part of the calendar, handed out without repeats.
        slots = Slots(resource_ids, hour + timedelta(days=1))
        raw, raw_wall = bench_raw(url, slots, args.samples, user_id, school_id)
        baseline = report("raw psycopg INSERT", raw, raw_wall)
        service, service_wall = bench_service(app, slots, args.samples, user_id)
        report("service create_booking", service, service_wall, baseline)
        http, http_wall = bench_http(sqlalchemy_url, slots, args.samples, tokens, args.workers)
        report(f"HTTP POST ({args.clients} clients, {args.workers} workers)", http, http_wall, baseline)
        series_start = slots.take()[1] + timedelta(days=1)
        bench_series(app, resource_ids[0], user_id, series_start)
        print(f"load average {os.getloadavg()[0]:.1f} at the end")
    finally:
        drop_database(args.server, url)


if __name__ == "__main__":
    main()
