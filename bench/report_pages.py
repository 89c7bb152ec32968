"""The pages part of bench/report_bench.py: the dashboard and the utilisation API as whole requests,
cold and warm, each beside a raw-SQL anchor (the same GROUP BY statements, replayed on the driver); then the
long lists with all the resources (the booking chooser /bookings/new, a search in it, a later page, and
/resources/) beside their goals (150 ms, 100 KB), each with its size as sent (gzip) and its SQL statements.

Not run on its own: report_bench.py fills the database and calls ``run_pages``.
"""
from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone

from sqlalchemy import event, text

from booking.extensions import db

BENCH_EMAIL = "bench-coordinator@example.cn"
BENCH_PASSWORD = "bench-pass-123"
TARGET_SECONDS, TARGET_KB, API_RATIO = 1.0, 300, 1.5
LIST_MS, LIST_KB = 150, 100
LISTS = (("chooser /bookings/new", "/bookings/new"), ("chooser, page 5", "/bookings/new?page=5"),
         ("chooser, search", "/bookings/new?q=%E8%B5%84%E6%BA%90123"), ("/resources/", "/resources/"),
         ("/resources/, search", "/resources/?q=%E8%B5%84%E6%BA%90123"))


def _coordinator() -> None:
    from booking.accounts.passwords import hash_password

    if db.session.scalar(text("SELECT count(*) FROM users WHERE email = :e"), {"e": BENCH_EMAIL}):
        return
    db.session.execute(text(
        "INSERT INTO users (id, email, display_name, password_hash, role, locale, active, created_at)"
        " VALUES ((SELECT coalesce(max(id), 0) + 1 FROM users), :e, '学区管理员', :h, 'coordinator', 'zh_CN', true, :now)"),
        {"e": BENCH_EMAIL, "h": hash_password(BENCH_PASSWORD), "now": datetime.now(timezone.utc).replace(tzinfo=None)})
    db.session.commit()


def _capture(work) -> tuple[float, object, list]:
    """Seconds ``work()`` took, its result, and the (statement, parameters) it ran that GROUP BY bookings (with the
    settings it gave them)."""
    seen: list = []

    def remember(_conn, _cursor, statement, parameters, _context, _executemany):
        # The settings a report gives its GROUP BYs (light JIT, reports.sql.run_aggregate) are replayed with them.
        if "FROM bookings" in statement and "GROUP BY" in statement or "set_config(" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        started = time.perf_counter()
        result = work()
        took = time.perf_counter() - started
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    return took, result, seen


def _replay(statements: list) -> float:
    """The statements on the bare driver connection, every row fetched: the database's part alone."""
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        took = time.perf_counter() - started
        connection.rollback()
    finally:
        connection.close()
    return took


def _median(values) -> float:
    return statistics.median(values)


def _request(client, url: str, repeats: int) -> dict:
    from booking.reports import cache

    cold, warm, written, anchor, size, queries, status = [], [], [], [], 0, 0, 0
    for _ in range(repeats):
        cache.clear()
        took, response, statements = _capture(lambda: client.get(url))
        cold.append(took)
        status, size = response.status_code, len(response.data)
        queries = sum("GROUP BY" in statement for statement, _parameters in statements)
        anchor.append(_replay(statements))
        took, response, _statements = _capture(lambda: client.get(url))
        warm.append(took)
        _write_a_booking()
        took, response, _statements = _capture(lambda: client.get(url))
        written.append(took)
    return {"cold": _median(cold), "warm": _median(warm), "written": _median(written), "anchor": _median(anchor),
            "kb": size / 1024, "group_bys": queries, "status": status}


def _write_a_booking() -> None:
    """A write of one booking (as a change of anything in the district would be): the figures are made again,
    what comes from the small tables alone (teaching and opening hours) is not."""
    db.session.execute(text("UPDATE bookings SET students = students WHERE id = (SELECT min(id) FROM bookings)"))
    db.session.commit()


def run_pages(app, backend: str, repeats: int, term) -> list[str]:
    from booking import clock

    clock.freeze(None)
    _coordinator()
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    response = client.post("/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD})
    if response.status_code != 302:
        return [f"could not sign in to time the pages ({response.status_code})"]
    dates = f"start={term[0].isoformat()}&end={term[1].isoformat()}"
    client.get(f"/reports/?{dates}")  # warm the app (templates compiled, connections open)
    page = _request(client, f"/reports/?{dates}", repeats)
    api = _request(client, f"/api/v1/reports/utilization?{dates}&limit=50", repeats)
    lines = []
    for name, figures, limits in (("dashboard page", page, True), ("utilisation API", api, False)):
        ratio = figures["cold"] / figures["anchor"] if figures["anchor"] else float("nan")
        written = figures["written"] / figures["anchor"] if figures["anchor"] else float("nan")
        verdict = []
        if limits:
            verdict.append("within 1 s" if figures["cold"] <= TARGET_SECONDS else "OVER 1 s")
            verdict.append("within 300 KB" if figures["kb"] <= TARGET_KB else "OVER 300 KB")
        verdict.append(f"within {API_RATIO}×" if written <= API_RATIO else f"OVER {API_RATIO}×")
        lines.append(f"{name:<24} cold {figures['cold']:7.3f} s  warm {figures['warm']:6.3f} s  after a booking "
                     f"write {figures['written']:6.3f} s  {figures['kb']:7.1f} KB  HTTP {figures['status']}  raw SQL "
                     f"anchor {figures['anchor']:.3f} s ({figures['group_bys']} GROUP BYs)  cold/anchor {ratio:.2f}×  "
                     f"after-write/anchor {written:.2f}×  [{', '.join(verdict)}] ({backend})")
    return lines + [_list_line(client, name, url, repeats, backend) for name, url in LISTS]


def _list_line(client, name: str, url: str, repeats: int, backend: str) -> str:
    """One list page: median time, size (plain and as sent gzipped), statements, beside the goals."""
    statements: list = []

    def count(*_args):
        statements.append(1)

    client.get(url)  # warm: templates compiled
    times = []
    for _ in range(max(3, repeats)):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    sent = client.get(url, headers={"Accept-Encoding": "gzip"})
    ms, kb, sent_kb = _median(times) * 1000, len(response.data) / 1024, len(sent.data) / 1024
    return (f"{name:<24} {ms:7.1f} ms (x{ms / LIST_MS:.2f} the {LIST_MS} ms goal)  {kb:6.1f} KB "
            f"(x{kb / LIST_KB:.2f} the {LIST_KB} KB goal), {sent_kb:5.1f} KB sent "
            f"({sent.headers.get('Content-Encoding', 'uncompressed')})  {len(statements)} SQL  "
            f"HTTP {response.status_code} ({backend})")
