"""SQL building blocks that read the same on SQLite and PostgreSQL.

Instants are stored as naive UTC (text in SQLite's one fixed format, so comparing them as text
is comparing instants). ``greatest``/``least`` compile to SQLite's many-argument ``max``/``min``,
``epoch`` and ``seconds_between`` to ``unixepoch`` on SQLite and ``date_part('epoch', …)`` on
PostgreSQL. With those, clipping a booking to the report range is one expression on both:

    seconds inside the range = seconds_between(greatest(starts_at, range_start), least(ends_at, range_end))

Floor division (``//``) and ``%`` on epoch seconds give the local hour number (day × 24 + hour),
after adding the zone's offset in seconds (see ``timeframe.offset_spans``).
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Float, and_, bindparam, case, func, literal, literal_column, or_, select, text
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from booking.bookings.models import REPORTED, Booking, BookingOutcome
from booking.extensions import db
from booking.reports.bases import Basis
from booking.db_types import UTCDateTime
from booking.reports.timeframe import SECONDS_PER_HOUR, OffsetSpan, ReportRange

# Written as literals, not bound parameters: SQLite uses a partial index only when the
# query's WHERE repeats the index's condition literally.
CONFIRMED = literal_column("'confirmed'")
REPORTED_ROWS = text(REPORTED)
# The partial index of confirmed bookings and no-shows holding every column the reports read (migration 0008e).
REPORT_INDEX = "ix_bookings_report_span"
# 1970-01-01 was a Thursday: weekday (0 = Monday) of an epoch day number is (day + 3) % 7.
EPOCH_WEEKDAY = 3


def _sqlite_epoch(compiler, argument: str) -> str:
    # unixepoch() (SQLite 3.38+) is twice as fast as strftime('%s'); older libraries get the latter.
    if compiler.dialect.dbapi is not None and compiler.dialect.dbapi.sqlite_version_info >= (3, 38):
        return f"unixepoch({argument})"
    return f"CAST(strftime('%s', {argument}) AS INTEGER)"


class epoch(FunctionElement):
    """Whole seconds since 1970-01-01 of a naive-UTC timestamp."""

    type = BigInteger()
    inherit_cache = True


@compiles(epoch, "sqlite")
def _epoch_sqlite(element, compiler, **kw):
    return _sqlite_epoch(compiler, compiler.process(element.clauses, **kw))


@compiles(epoch, "postgresql")
def _epoch_postgresql(element, compiler, **kw):
    return f"CAST(date_part('epoch', {compiler.process(element.clauses, **kw)}) AS BIGINT)"


class seconds_between(FunctionElement):
    """Seconds from the first timestamp to the second (whole seconds; a float on PostgreSQL)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({_sqlite_epoch(compiler, end)} - {_sqlite_epoch(compiler, start)})"


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"date_part('epoch', {end} - {start})"


def _dialect_function(sqlite_name: str, postgresql_name: str, result_type=UTCDateTime):
    """A SQL function spelled differently by the two databases (on timestamps unless told)."""

    class Function(FunctionElement):
        type = result_type()
        inherit_cache = True

    compiles(Function, "sqlite")(lambda element, compiler, **kw:
                                 f"{sqlite_name}({compiler.process(element.clauses, **kw)})")
    compiles(Function, "postgresql")(lambda element, compiler, **kw:
                                     f"{postgresql_name}({compiler.process(element.clauses, **kw)})")
    return Function


# SQLite's min() and max() with several arguments are PostgreSQL's least() and greatest().
greatest = _dialect_function("max", "greatest")
least = _dialect_function("min", "least")
greatest_number = _dialect_function("max", "greatest", BigInteger)
least_number = _dialect_function("min", "least", BigInteger)


class seconds_of_day(FunctionElement):
    """Seconds after midnight of a TIME column (SQLite keeps it as 'HH:MM:SS[.ffffff]' text)."""

    type = BigInteger()
    inherit_cache = True


@compiles(seconds_of_day, "sqlite")
def _seconds_of_day_sqlite(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return (f"(CAST(substr({value}, 1, 2) AS INTEGER) * 3600 + CAST(substr({value}, 4, 2) AS INTEGER) * 60"
            f" + CAST(substr({value}, 7, 2) AS INTEGER))")


@compiles(seconds_of_day, "postgresql")
def _seconds_of_day_postgresql(element, compiler, **kw):
    return f"CAST(date_part('epoch', {compiler.process(element.clauses, **kw)}) AS BIGINT)"


def _instant(value):
    return bindparam(None, value, type_=UTCDateTime())


def _seconds(value: int):
    return bindparam(None, value, type_=BigInteger())


def clipped_start(report_range: ReportRange):
    """A booking's start, or the range's start when it began before."""
    return greatest(Booking.starts_at, _instant(report_range.start))


def clipped_seconds(report_range: ReportRange):
    """Seconds of a booking inside the range (positive for every booking ``in_range`` keeps)."""
    return seconds_between(clipped_start(report_range), least(Booking.ends_at, _instant(report_range.end)))


def _sqlite_from_hint(compiler, table, text):
    return text


# SQLAlchemy's SQLite compiler drops FROM hints (``Select.with_hint``); SQLite has exactly one,
# ``INDEXED BY``, written right after the table name, which is where hints are rendered.
SQLiteCompiler.get_from_hint_text = _sqlite_from_hint


def scan_reported_span(query):
    """Make SQLite read the reports' covering index. Left to itself, it prefers walking an index
    in GROUP BY order (school or resource first) and visiting the table for every row: 3× slower.
    PostgreSQL's planner chooses well without help; the hint is SQLite's only."""
    return query.with_hint(Booking, f"INDEXED BY {REPORT_INDEX}", dialect_name="sqlite")


def in_range(report_range: ReportRange):
    """Confirmed bookings and no-shows overlapping the range: on the raw columns, so the indexes serve it."""
    return and_(REPORTED_ROWS, Booking.starts_at < report_range.end, Booking.ends_at > report_range.start)


def basis_of(now):
    """The basis of each row (``bases``): no-show first, then ended → delivered, else planned."""
    return case((Booking.outcome == literal(BookingOutcome.NO_SHOW.value), literal(Basis.NO_SHOW.value)),
                (Booking.ends_at <= _instant(now), literal(Basis.DELIVERED.value)),
                else_=literal(Basis.PLANNED.value))


def in_basis(basis: Basis, now):
    """Rows of one basis, for a listing behind a figure."""
    return basis_of(now) == literal(basis.value)


SECONDS_PER_DAY = 86_400


def local_day_number(report_range: ReportRange, span: OffsetSpan):
    """Local days since 1970-01-01 at the booking's clipped start."""
    return (epoch(clipped_start(report_range)) + _seconds(span.offset_seconds)) // SECONDS_PER_DAY


def local_clock_seconds(report_range: ReportRange, span: OffsetSpan) -> tuple:
    """(start, length) of a booking clipped to the range: its start in seconds after the local midnight of
    its start day, and its length in seconds (a booking past midnight ends after 86,400: only the start
    day's periods can meet it)."""
    start = epoch(clipped_start(report_range))
    return (start + _seconds(span.offset_seconds)) % SECONDS_PER_DAY, \
        epoch(least(Booking.ends_at, _instant(report_range.end))) - start


def overlap_seconds(start, end, period_start, period_end):
    """Seconds [start, end) and [period_start, period_end) share; zero or negative when they do not meet."""
    return least_number(end, period_end) - greatest_number(start, period_start)


def local_hour_number(report_range: ReportRange, span: OffsetSpan):
    """Local hours since 1970-01-01 00:00 at the booking's clipped start: one number holds day and hour."""
    return (epoch(clipped_start(report_range)) + _seconds(span.offset_seconds)) // SECONDS_PER_HOUR


def in_span(span: OffsetSpan, first: bool):
    """Bookings whose clipped start lies in ``span``; the first span also takes those begun before the range."""
    condition = Booking.starts_at < span.end
    return condition if first else and_(condition, Booking.starts_at >= span.start)


def at_local_slot(report_range: ReportRange, spans: list[OffsetSpan], weekday: int | None, hour: int | None):
    """Bookings starting on ``weekday`` (0 = Monday) and/or in local ``hour``, whatever span they fall in."""
    per_span = []
    for index, span in enumerate(spans):
        parts = [in_span(span, index == 0)]
        number = local_hour_number(report_range, span)
        if weekday is not None:
            parts.append((number // 24 + EPOCH_WEEKDAY) % 7 == weekday)
        if hour is not None:
            parts.append(number % 24 == hour)
        per_span.append(and_(*parts))
    return or_(*per_span)


# PostgreSQL compiles an expensive statement to machine code (JIT) and, above these costs, also inlines and
# optimises that code: for a report's GROUP BY over millions of bookings the two take 1–1.5 s, more than
# they save, as each statement runs once per data version. Plain JIT (expressions, tuple deforming) stays.
_LIGHT_JIT = select(func.set_config("jit_inline_above_cost", "-1", True),
                    func.set_config("jit_optimize_above_cost", "-1", True))


def run_aggregate(query):
    """The rows of a report's GROUP BY ``query``: on PostgreSQL with light JIT for the rest of the transaction."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LIGHT_JIT)
    return session.execute(query)
