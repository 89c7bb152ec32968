"""Parsing, bounding and expanding RRULEs: pure, no app."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from booking.bookings.rules.recurrence import RecurrenceError, expand, normalised_rule, weekly_rule
from booking.bookings.rules import Interval

ZONE = ZoneInfo("Asia/Shanghai")
# Thursday 3 September 2026, period 3 (09:50–10:30 local).
FIRST = Interval(datetime(2026, 9, 3, 9, 50, tzinfo=ZONE).astimezone(timezone.utc),
                 datetime(2026, 9, 3, 10, 30, tzinfo=ZONE).astimezone(timezone.utc))


def local_dates(recurrence) -> list[str]:
    return [o.start.astimezone(ZONE).strftime("%m-%d %H:%M") for o in recurrence.occurrences]


def test_weekly_until_a_date_includes_that_date():
    recurrence = expand("FREQ=WEEKLY;BYDAY=TH;UNTIL=20260924", FIRST, ZONE)
    assert local_dates(recurrence) == ["09-03 09:50", "09-10 09:50", "09-17 09:50", "09-24 09:50"]
    assert all(o.minutes == 40 for o in recurrence.occurrences)


def test_rules_are_stored_with_a_utc_until_instead_of_count():
    recurrence = expand("RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=3", FIRST, ZONE)
    assert recurrence.rule_text == "FREQ=WEEKLY;BYDAY=TH;UNTIL=20260917T015000Z"
    assert recurrence.until == recurrence.occurrences[-1].start
    assert expand(recurrence.rule_text, FIRST, ZONE).occurrences == recurrence.occurrences


def test_every_two_weeks_on_two_weekdays():
    recurrence = expand("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20260921", FIRST, ZONE)
    assert local_dates(recurrence) == ["09-03 09:50", "09-14 09:50", "09-17 09:50"]


def test_term_end_bounds_a_rule_without_until():
    recurrence = expand("FREQ=WEEKLY;BYDAY=TH", FIRST, ZONE, until_default=date(2026, 9, 17))
    assert len(recurrence.occurrences) == 3


def test_weekly_rule_for_the_form():
    assert weekly_rule([3], date(2027, 1, 15)) == "FREQ=WEEKLY;BYDAY=TH;UNTIL=20270115"
    assert weekly_rule([3, 0], date(2027, 1, 15), interval=2) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270115"
    with pytest.raises(RecurrenceError):
        weekly_rule([], date(2027, 1, 15))


def test_normalised_rule_replaces_until():
    moment = datetime(2026, 12, 31, 1, 50, tzinfo=timezone.utc)
    assert normalised_rule("FREQ=WEEKLY;BYDAY=TH;COUNT=9", moment) == "FREQ=WEEKLY;BYDAY=TH;UNTIL=20261231T015000Z"


@pytest.mark.parametrize("rule, fragment", [
    ("FREQ=WEEKLY;BYDAY=TH", "never ends"),
    ("", "one RRULE line"),
    ("garbage", "NAME=VALUE"),
    ("FREQ=WEEKLY;BYDAY=XX;COUNT=2", "could not be read"),
    ("FREQ=WEEKLY;COUNT=abc", "could not be read"),
    ("FREQ=HOURLY;COUNT=2", "daily, weekly or monthly"),
    ("FREQ=WEEKLY;INTERVAL=0;COUNT=3", "INTERVAL"),
    ("FREQ=WEEKLY;COUNT=3;UNTIL=20260924", "not both"),
    ("FREQ=WEEKLY;UNTIL=20261340", "not a real date"),
    ("FREQ=WEEKLY;UNTIL=2026-09-24", "UNTIL must be"),
    ("FREQ=WEEKLY;BYDAY=TH;UNTIL=20250101", "no dates"),
    ("FREQ=DAILY;COUNT=201", "at most 200"),
    ("FREQ=WEEKLY;COUNT=60", "one year"),
    ("FREQ=DAILY;UNTIL=20281231", "one year"),
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31;COUNT=2", "not supported"),
    ("DTSTART:20260903T095000\nRRULE:FREQ=DAILY;COUNT=2", "one RRULE line"),
])
def test_bad_rules_are_refused_with_a_reason(rule, fragment):
    with pytest.raises(RecurrenceError) as caught:
        expand(rule, FIRST, ZONE)
    assert fragment in str(caught.value.message)


def test_the_cap_is_200_dates_inclusive():
    assert len(expand("FREQ=DAILY;COUNT=200", FIRST, ZONE).occurrences) == 200


def test_occurrences_may_not_overlap_each_other():
    long_first = Interval(FIRST.start, FIRST.start.replace(day=5))
    with pytest.raises(RecurrenceError) as caught:
        expand("FREQ=DAILY;COUNT=3", long_first, ZONE)
    assert "overlap" in str(caught.value.message)
