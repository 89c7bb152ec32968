"""Pure rules for school administration input: no app, no database."""
from datetime import date, time

import pytest

from booking import parsing
from booking.schools import rules
from booking.schools.rules import PeriodRow


@pytest.mark.parametrize("value, expected", [
    (0, 0), ("12", 12), (" 7 ", 7), ("600", 600), ("601", None), ("-5", None), (-1, None), ("abc", None),
    ("1.5", None), ("", None), (None, None), (True, None), (2.0, None),
])
def test_parse_whole_number(value, expected):
    assert parsing.parse_whole_number(value, 600) == expected


@pytest.mark.parametrize("value, expected", [
    ("08:00", time(8, 0)), ("8:05", time(8, 5)), ("14:40:00", time(14, 40)), (time(9, 0), time(9, 0)),
    ("24:00", None), ("8:60", None), ("eight", None), ("", None), (None, None),
])
def test_parse_clock(value, expected):
    assert parsing.parse_clock(value) == expected


def test_parse_day():
    assert parsing.parse_day("2026-09-01") == date(2026, 9, 1)
    assert parsing.parse_day(date(2026, 9, 1)) == date(2026, 9, 1)
    assert [parsing.parse_day(v) for v in ("2026-02-30", "1/9/2026", None)] == [None, None, None]


@pytest.mark.parametrize("code, ok", [("XT01", True), ("xt-01.a_b", True), ("", False), ("X" * 32, True),
                                      ("X" * 33, False), ("新天", False), ("a b", False), ("_x", False)])
def test_code_error(code, ok):
    assert (rules.code_error(code) is None) == ok


def test_date_range_end_not_before_start():
    errors, start, end = parsing.check_date_range("2026-09-01", "2026-09-01")
    assert errors == {} and start == end == date(2026, 9, 1)
    errors, _s, _e = parsing.check_date_range("2026-09-02", "2026-09-01")
    assert set(errors) == {"end_date"}
    errors, _s, _e = parsing.check_date_range("", "soon")
    assert set(errors) == {"start_date", "end_date"}


def test_spans_overlap_includes_touching_days():
    d = date
    assert parsing.spans_overlap(d(2026, 9, 1), d(2026, 9, 30), d(2026, 9, 30), d(2026, 10, 5))
    assert not parsing.spans_overlap(d(2026, 9, 1), d(2026, 9, 29), d(2026, 9, 30), d(2026, 10, 5))


def rows(*triples) -> list[PeriodRow]:
    return [PeriodRow(*t) for t in triples]


def test_valid_schedule_skips_blank_rows():
    errors, periods = rules.check_periods(rows(("1", "08:00", "08:40"), ("", "", ""), ("2", "08:50", "09:30")))
    assert errors == {}
    assert periods == [(1, time(8, 0), time(8, 40)), (2, time(8, 50), time(9, 30))]


def test_period_ending_before_it_starts():
    errors, periods = rules.check_periods(rows(("1", "08:40", "08:00")))
    assert set(errors) == {"periods-0-end"} and periods == []


def test_period_overlapping_the_next():
    errors, _ = rules.check_periods(rows(("1", "08:00", "08:45"), ("2", "08:40", "09:20")))
    assert set(errors) == {"periods-0-end"}


def test_periods_numbered_consecutively_from_one():
    errors, _ = rules.check_periods(rows(("1", "08:00", "08:40"), ("3", "08:50", "09:30")))
    assert set(errors) == {"periods-1-number"}
    errors, _ = rules.check_periods(rows(("2", "08:00", "08:40")))
    assert set(errors) == {"periods-0-number"}


def test_at_least_one_period():
    errors, _ = rules.check_periods(rows(("", "", "")))
    assert set(errors) == {"periods"}


def test_half_filled_row_names_the_missing_parts():
    errors, _ = rules.check_periods(rows(("1", "08:00", "")))
    assert set(errors) == {"periods-0-end"}
    errors, _ = rules.check_periods(rows(("x", "nope", "08:00")))
    assert set(errors) == {"periods-0-number", "periods-0-start"}


def test_travel_key_orders_the_pair():
    assert rules.travel_key(7, 3) == rules.travel_key(3, 7) == "travel-3-7"
