"""Benchmark of the usage and equity reports on 1M bookings, on SQLite and PostgreSQL.

    .venv/bin/python bench/report_bench.py                       # both backends, 1,000,000 bookings
    .venv/bin/python bench/report_bench.py --backends sqlite --rows 200000

For each backend it builds a bench database of its own (SQLite: a file under /tmp; PostgreSQL:
the database `district_report_bench` on the server of --pg-url, made anew and dropped at the end
unless --keep) with the real
migrations, fills it with 100 schools (each with five 40-minute bell periods), 2,000 resources and
the bookings (PostgreSQL: one INSERT … SELECT over generate_series; SQLite: executemany in batches;
the same formulas on both, so both hold the same data), then times the split equity report
(own use / received / district × delivered / planned / no-show per school) beside a raw SQL
GROUP BY computing the same per-school figures, and the utilisation report and the whole
dashboard, and prints the figures. Targets: ≤ 1 s on PostgreSQL, ≤ 5 s on SQLite, and the split
report ≤ 1.5 × the raw GROUP BY.

Then the pages, as a browser gets them (whole request through the app: sign-in session, queries,
template rendering): the dashboard `/reports/` (its size in KB) and `/api/v1/reports/utilization`,
each cold (report cache emptied) and warm (cache holding, nothing written since), beside a raw-SQL
anchor: the very GROUP BY statements the request ran over the bookings (same joins, same
parameters), replayed on the bare driver connection, rows fetched and nothing else done with them.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from booking import create_app  # noqa: E402
from booking.config import normalise_database_url  # noqa: E402
from booking.extensions import db  # noqa: E402

FIRST_MONDAY = date(2026, 9, 7)  # 20 school weeks: Monday 2026-09-07 … Friday 2027-01-22
TERM = (date(2026, 9, 1), date(2027, 1, 22))
UTC_OFFSET_HOURS = 8  # Asia/Shanghai, the bench district's zone
PERIOD_STARTS = (8 * 60, 9 * 60, 10 * 60, 14 * 60, 15 * 60)  # local minutes after midnight
LESSON_MINUTES = 40
CATEGORIES = ("gym", "sports_field", "lab", "library", "music_room", "art_room", "computer_room", "multimedia_room")
TARGETS = {"postgresql": 1.0, "sqlite": 5.0}


# --- the data, from the booking's number g (0 … rows − 1) ------------------------------------------

def python_row(g: int, resources: int, schools: int, now: str) -> tuple:
    """One booking as SQLite stores it; ``postgres_insert`` computes the same values in SQL."""
    resource = g % resources
    k = g // resources
    owner = resource % schools
    school = owner if g % 2 == 0 else (owner + 1 + (g // 2) % (schools - 1)) % schools
    day = FIRST_MONDAY + timedelta(days=(k // 5 // 5) % 20 * 7 + (k // 5) % 5)
    start = datetime.combine(day, datetime.min.time()) + timedelta(
        minutes=PERIOD_STARTS[k % 5] - UTC_OFFSET_HOURS * 60)
    status = {0: "cancelled", 1: "pending", 2: "rejected"}.get(g % 20, "confirmed")
    outcome = None if status != "confirmed" else {7: "no_show"}.get(g % 10, "used" if g % 10 < 7 else None)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    return (resource + 1, school + 1, school + 1, start.strftime(fmt),
            (start + timedelta(minutes=LESSON_MINUTES)).strftime(fmt), status, 20 + g % 25, outcome, now, now)


POSTGRES_INSERT = """
INSERT INTO bookings (resource_id, school_id, booked_by_id, starts_at, ends_at, status, blocks, quantity, title,
                      class_name, students, is_exception, cancel_reason, decision_reason, created_at, updated_at,
                      sequence, outcome, outcome_note)
SELECT r + 1, s + 1, s + 1, st, st + interval '{lesson} minutes',
       CASE g % 20 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'pending' WHEN 2 THEN 'rejected' ELSE 'confirmed' END,
       false, 1, 'bench', '', 20 + g % 25, false, '', '', now(), now(), 0,
       CASE WHEN g % 20 IN (0, 1, 2) THEN NULL WHEN g % 10 = 7 THEN 'no_show' WHEN g % 10 < 7 THEN 'used' END, ''
FROM (
  SELECT g, r, CASE WHEN g % 2 = 0 THEN r % {schools} ELSE (r % {schools} + 1 + (g / 2) % ({schools} - 1)) % {schools} END AS s,
         timestamp '{monday}' - interval '{offset} hours'
           + ((k / 25) % 20 * 7 + (k / 5) % 5) * interval '1 day'
           + (ARRAY{periods})[k % 5 + 1] * interval '1 minute' AS st
  FROM (SELECT g, g % {resources} AS r, g / {resources} AS k FROM generate_series(0, {last}) AS g) AS numbered
) AS rows
"""


def postgres_insert(rows: int, resources: int, schools: int) -> str:
    return POSTGRES_INSERT.format(lesson=LESSON_MINUTES, schools=schools, resources=resources, last=rows - 1,
                                  monday=FIRST_MONDAY.isoformat(), offset=UTC_OFFSET_HOURS,
                                  periods=list(PERIOD_STARTS))


def seed_directory(connection, schools: int, resources: int) -> None:
    """District, schools (every tenth a lead school), one teacher each, resources open Monday–Friday 08–17."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    connection.execute(text("INSERT INTO counties (id, name, created_at) VALUES (1, '基准县', :now)"), {"now": now})
    connection.execute(text("INSERT INTO districts (id, name, created_at, county_id) VALUES (1, '基准学区', :now, 1)"),
                       {"now": now})
    connection.execute(text(
        "INSERT INTO schools (id, district_id, code, name, stage, enrollment, is_lead, is_weak, area, address, active)"
        " VALUES (:id, 1, :code, :name, :stage, :enrollment, :lead, :weak, '', '', true)"),
        [{"id": n + 1, "code": f"B{n:03d}", "name": f"基准学校{n}", "stage": "junior" if n % 7 == 6 else "primary",
          "enrollment": 60 + (n * 37) % 1400, "lead": n % 10 == 0, "weak": n % 10 != 0} for n in range(schools)])
    connection.execute(text(
        "INSERT INTO users (id, email, display_name, password_hash, school_id, role, locale, active, created_at)"
        " VALUES (:id, :email, '老师', 'x', :id, 'teacher', 'zh_CN', true, :now)"),
        [{"id": n + 1, "email": f"bench{n}@example.cn", "now": now} for n in range(schools)])
    connection.execute(text(
        "INSERT INTO resources (id, owner_school_id, kind, category, subject, name, location, description, stock,"
        " sharing, approval_required, active, created_at, updated_at)"
        " VALUES (:id, :owner, 'facility', :category, '', :name, '', '', 1, 'district', false, true, :now, :now)"),
        [{"id": n + 1, "owner": n % schools + 1, "category": CATEGORIES[n % len(CATEGORIES)], "name": f"资源{n}",
          "now": now} for n in range(resources)])
    connection.execute(text(
        "INSERT INTO opening_hours (resource_id, weekday, opens, closes) VALUES (:resource, :weekday, :opens, :closes)"),
        [{"resource": n + 1, "weekday": weekday, "opens": "08:00:00", "closes": "17:00:00"}
         for n in range(resources) for weekday in range(5)])
    connection.execute(text(
        "INSERT INTO bell_periods (school_id, number, start_time, end_time) VALUES (:school, :number, :start, :end)"),
        [{"school": n + 1, "number": number + 1, "start": f"{minutes // 60:02d}:{minutes % 60:02d}:00",
          "end": f"{(minutes + LESSON_MINUTES) // 60:02d}:{(minutes + LESSON_MINUTES) % 60:02d}:00"}
         for n in range(schools) for number, minutes in enumerate(PERIOD_STARTS)])
    connection.execute(text("INSERT INTO terms (district_id, name, start_date, end_date) VALUES (1, '基准学期', :a, :b)"),
                       {"a": TERM[0], "b": TERM[1]})
    connection.execute(text("INSERT INTO closures (district_id, start_date, end_date, reason)"
                            " VALUES (1, :a, :b, '国庆节')"), {"a": date(2026, 10, 1), "b": date(2026, 10, 7)})


def fill_sqlite(connection, rows: int, resources: int, schools: int) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    raw = connection.connection.driver_connection
    statement = ("INSERT INTO bookings (resource_id, school_id, booked_by_id, starts_at, ends_at, status, students,"
                 " outcome, created_at, updated_at, blocks, quantity, title, class_name, is_exception, cancel_reason,"
                 " decision_reason, sequence, outcome_note)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, 'bench', '', 0, '', '', 0, '')")
    batch = 50_000
    for first in range(0, rows, batch):
        raw.executemany(statement, [python_row(g, resources, schools, now)
                                    for g in range(first, min(first + batch, rows))])


# --- databases ---------------------------------------------------------------------------------------

def prepare(backend: str, args) -> str:
    """A fresh bench database (or, with --reuse, the one a previous run filled); its URL."""
    if backend == "sqlite" and args.reuse:
        return f"sqlite:///{args.sqlite_path}"
    if backend == "sqlite":
        path = Path(args.sqlite_path)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    server = make_url(normalise_database_url(args.pg_url))
    if args.reuse:
        return server.set(database=PG_DATABASE).render_as_string(hide_password=False)
    _admin(args, f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{PG_DATABASE}"')
    return server.set(database=PG_DATABASE).render_as_string(hide_password=False)


PG_DATABASE = "district_report_bench"  # --pg-database names another (two runs on one server must not share one)


def _admin(args, *statements) -> None:
    admin = create_engine(make_url(normalise_database_url(args.pg_url)), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


def remove(backend: str, args) -> None:
    """The bench database goes when the run ends (unless --keep)."""
    if args.keep:
        return
    if backend == "postgresql":
        _admin(args, f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.sqlite_path}{suffix}").unlink(missing_ok=True)


def load(backend: str, args) -> float:
    started = time.perf_counter()
    with db.engine.begin() as connection:
        seed_directory(connection, args.schools, args.resources)
        if backend == "postgresql":
            connection.execute(text(postgres_insert(args.rows, args.resources, args.schools)))
        else:
            fill_sqlite(connection, args.rows, args.resources, args.schools)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE"))
    return time.perf_counter() - started


# --- timing ------------------------------------------------------------------------------------------

# The split report's per-school figures, written by hand: hours and student-hours by (booking school, source,
# resource kind, basis); the source from the providing school (a visiting teacher's home school, else the owner).
SECONDS_INSIDE = {
    "postgresql": "extract(epoch FROM least(b.ends_at, :end) - greatest(b.starts_at, :start))",
    "sqlite": "(unixepoch(min(b.ends_at, :end)) - unixepoch(max(b.starts_at, :start)))",
}
SPLIT_COLUMNS = ("SELECT b.school_id, CASE WHEN p.district_owned THEN 'district'"
                 " WHEN p.id = b.school_id THEN 'own' ELSE 'received' END, r.kind,"
                 " CASE WHEN b.outcome = 'no_show' THEN 'no_show' WHEN b.ends_at <= :now THEN 'delivered'"
                 " ELSE 'planned' END, sum({seconds}), sum({seconds} * coalesce(b.students, 0))")
SPLIT_FROM = (" JOIN resources r ON r.id = b.resource_id LEFT JOIN teacher_profiles t ON t.resource_id = r.id"
              " JOIN schools p ON p.id = coalesce(t.home_school_id, r.owner_school_id)"
              " WHERE (status = 'confirmed' OR outcome = 'no_show') AND b.starts_at < :end AND b.ends_at > :start"
              " GROUP BY 1, 2, 3, 4")
RAW_SQL = {
    "postgresql": SPLIT_COLUMNS.format(seconds=SECONDS_INSIDE["postgresql"]) + " FROM bookings b" + SPLIT_FROM,
    # With the reports' index, as the reports read it: left to itself SQLite walks ix_bookings_school_start
    # in GROUP BY order and reads the table row by row, several times slower.
    "sqlite": SPLIT_COLUMNS.format(seconds=SECONDS_INSIDE["sqlite"])
              + " FROM bookings b INDEXED BY ix_bookings_report_span" + SPLIT_FROM,
}


def timed(work, repeats: int) -> tuple[float, object]:
    """Median seconds of ``repeats`` runs after one warm-up (the report cache emptied before each), and the
    last result."""
    from booking.reports import cache

    result = work()
    times = []
    for _ in range(repeats):
        db.session.expire_all()
        cache.clear()  # cold: every figure computed
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def run_reports(backend: str, repeats: int) -> list[tuple[str, float, str]]:
    from booking import clock
    from booking.reports.access import Scope, access
    from booking.reports.bases import Basis
    from booking.reports.filters import Viewer, make_filter
    from booking.reports.services import build_report
    from booking.reports.utilisation import utilisation

    clock.freeze(datetime.now(timezone.utc))  # one "now" for the report and the raw query
    viewer = Viewer(user_id=0, school_id=None, coordinator=True)
    report_filter = make_filter(viewer, *TERM)
    bounds = {"start": report_filter.range.start.replace(tzinfo=None), "end": report_filter.range.end.replace(tzinfo=None),
              "now": report_filter.cut.replace(tzinfo=None)}
    if backend == "sqlite":  # compared as text, in the format SQLAlchemy stores
        bounds = {key: value.strftime("%Y-%m-%d %H:%M:%S.%f") for key, value in bounds.items()}
    raw_time, raw = timed(lambda: db.session.execute(text(RAW_SQL[backend]), bounds).all(), repeats)
    equity_time, figures = timed(lambda: access(report_filter, viewer), repeats)
    usage_time, usage = timed(lambda: utilisation(report_filter, viewer), repeats)
    dashboard_time, _report = timed(lambda: build_report(report_filter, viewer), repeats)
    clock.freeze(None)
    sources = ("own", "received", "district")
    raw_hours = {(source, basis): 0.0 for source in sources for basis in Basis}
    for _school, source, _kind, basis, seconds, _student_seconds in raw:
        raw_hours[(source, Basis(basis))] += float(seconds) / 3600
    report_hours = {(source, basis): sum(row.source_hours(source, basis) for row in figures.schools)
                    for source in sources for basis in Basis}
    agree = all(abs(raw_hours[key] - report_hours[key]) < 1e-6 * max(1.0, raw_hours[key]) for key in raw_hours)
    primary = next(group for group in figures.groups if group.stage == "primary").main
    return [
        ("raw SQL GROUP BY split", raw_time,
         f"{len({row[0] for row in raw})} schools; delivered own {raw_hours[('own', Basis.DELIVERED)]:,.1f} h, "
         f"received {raw_hours[('received', Basis.DELIVERED)]:,.1f} h"),
        ("split equity report", equity_time,
         f"{equity_time / raw_time:.2f}× the raw GROUP BY; same hours: {'yes' if agree else 'NO'}; primary CV "
         f"shared {primary.of(Scope.SHARED).figures.cv_weighted:.4f}, total {primary.of(Scope.TOTAL).figures.cv_weighted:.4f}"),
        ("utilisation report", usage_time,
         f"{len(usage.by_resource)} resources, {usage.total.hours.booked.hours:,.1f} h booked; teaching periods "
         f"{usage.total.period_utilisation() or 0:.1%}, opening hours {usage.total.utilisation or 0:.1%}"),
        ("whole dashboard", dashboard_time, "equity + utilisation + flows + heatmap + trend"),
    ]


def bench(backend: str, args) -> None:
    url = prepare(backend, args)
    try:
        measure(backend, args, url)
    finally:
        remove(backend, args)  # also when the run fails half-way


def measure(backend: str, args, url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": normalise_database_url(url), "SECRET_KEY": "bench",
                      "DISTRICT_TIMEZONE": "Asia/Shanghai", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        from flask_migrate import upgrade

        seconds = 0.0
        if not args.reuse:
            upgrade()
            seconds = load(backend, args)
        count = db.session.scalar(text("SELECT count(*) FROM bookings"))
        print(f"\n{backend}: {count:,} bookings, {args.schools} schools, {args.resources:,} resources "
              f"(loaded in {seconds:.1f} s); load average {os.getloadavg()[0]:.1f}")
        for name, took, figures in run_reports(backend, args.repeats):
            verdict = "" if name.startswith(("raw", "whole")) else \
                (" within target" if took <= TARGETS[backend] else f" OVER the {TARGETS[backend]:.0f} s target")
            print(f"  {name:<24} {took:7.3f} s{verdict:<22} {figures}")
        from bench.report_pages import run_pages

        for line in run_pages(app, backend, args.repeats, TERM):
            print(f"  {line}")
        print(f"  load average {os.getloadavg()[0]:.1f} at the end")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    global PG_DATABASE
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--resources", type=int, default=2_000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1/postgres")
    parser.add_argument("--sqlite-path", default="/tmp/district_bench.db")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="time the bench databases a previous run filled")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases for a later --reuse")
    parser.add_argument("--pg-database", default=PG_DATABASE, help="the PostgreSQL bench database's name")
    args = parser.parse_args()
    PG_DATABASE = args.pg_database
    for backend in args.backends.split(","):
        bench(backend.strip(), args)


if __name__ == "__main__":
    main()
