"""The booking pages' pure parts, without an app: reading the forms, and the week grid."""
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from booking.bookings.web.grid import Period, build_week_grid, monday_of, shown_weekdays
from booking.bookings.web.form_input import TermSpan, form_errors, read_booking, read_changes, read_search

ZONE = ZoneInfo("Asia/Shanghai")
TERM = TermSpan(7, date(2027, 1, 22))


def read(values, *, term=TERM, coordinator=False, equipment=False):
    return read_booking(values, 5, ZONE, lambda day: term, choose_school=coordinator, quantity_based=equipment)


def test_a_period_booking_keeps_the_period_for_the_service():
    parsed = read({"day": "2026-09-03", "period_number": "3", "period_to": "4", "title": " 实验 ",
                   "class_name": "三年级2班", "students": "30"})
    assert parsed.errors == {}
    data = parsed.data
    assert (data.day, data.period_number, data.period_to, data.students) == (date(2026, 9, 3), 3, 4, 30)
    assert data.start is None and data.rrule is None and data.school_id is None


def test_clock_times_are_district_wall_clock():
    parsed = read({"day": "2026-09-03", "start_time": "09:50", "end_time": "10:30", "title": "x"})
    assert parsed.data.start == datetime(2026, 9, 3, 1, 50, tzinfo=timezone.utc)
    assert parsed.data.end == datetime(2026, 9, 3, 2, 30, tzinfo=timezone.utc)


def test_unreadable_values_are_named_field_by_field():
    parsed = read({"day": "3 Sept", "start_time": "25:00", "end_time": "", "students": "many", "title": "x"})
    assert set(parsed.errors) == {"day", "start_time", "end_time", "students"}
    assert set(read({"day": "2026-09-03", "period_number": "3", "start_time": "08:00", "title": "x"}).errors) \
        == {"start_time"}
    assert set(read({"day": "2026-09-03", "period_number": "4", "period_to": "2"}).errors) == {"period_to"}
    assert set(read({"day": "2026-09-03", "start_time": "10:00", "end_time": "09:00"}).errors) == {"end_time"}
    assert set(read({"period_number": "3"}).errors) == {"day"}
    assert set(read({"day": "9999-12-31", "period_number": "3"}).errors) == {"day"}


def test_equipment_reads_a_quantity_and_coordinators_a_school():
    assert read({"day": "2026-09-03", "period_number": "1", "quantity": "4"}, equipment=True).data.quantity == 4
    assert read({"day": "2026-09-03", "period_number": "1", "quantity": "4"}).data.quantity == 1
    assert set(read({"day": "2026-09-03", "period_number": "1", "quantity": "-1"}, equipment=True).errors) \
        == {"quantity"}
    assert read({"day": "2026-09-03", "period_number": "1", "school_id": "12"}, coordinator=True).data.school_id == 12
    assert read({"day": "2026-09-03", "period_number": "1", "school_id": "12"}).data.school_id is None


def test_a_weekly_series_runs_to_the_end_of_the_term_by_default():
    data = read({"day": "2026-09-03", "period_number": "3", "repeat": "1"}).data
    assert data.rrule == "FREQ=WEEKLY;BYDAY=TH;UNTIL=20270122" and data.term_id == 7
    every_other = read({"day": "2026-09-03", "period_number": "3", "repeat": "2", "weekdays": ["0", "3"],
                        "until": "2026-11-30"}).data
    assert every_other.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20261130"


def test_series_mistakes_are_named():
    assert set(read({"day": "2026-09-03", "period_number": "3", "repeat": "1"}, term=None).errors) == {"until"}
    assert set(read({"day": "2026-09-03", "period_number": "3", "repeat": "1", "until": "2026-09-01"}).errors) \
        == {"until"}
    assert set(read({"day": "2026-09-03", "period_number": "3", "repeat": "1", "weekdays": ["9"]}).errors) \
        == {"weekdays"}
    assert set(read({"day": "2026-09-03", "period_number": "3", "repeat": "daily"}).errors) == {"repeat"}


def test_service_errors_land_on_the_form_fields_without_repeating_time_errors():
    service = {"start": "s", "end": "e", "title": "t", "recurrence": "r", "resource_id": "x"}
    assert form_errors(service) == {"start_time": "s", "end_time": "e", "title": "t", "repeat": "r", "": "x"}
    assert form_errors(service, {"day": "d"}) == {"day": "d", "title": "t", "repeat": "r", "": "x"}


def test_a_change_moves_only_what_differs():
    start = datetime(2026, 9, 3, 1, 50, tzinfo=timezone.utc)  # 09:50 local
    end = datetime(2026, 9, 3, 2, 30, tzinfo=timezone.utc)
    bells = {3: (time(9, 50), time(10, 30)), 4: (time(10, 40), time(11, 20))}
    same, errors = read_changes({"day": "2026-09-03", "period_number": "3", "title": "x"}, start, end, ZONE,
                                bells.get, one_date=True)
    assert errors == {} and not same.moves and same.title == "x"
    later, _ = read_changes({"day": "2026-09-10", "period_number": "4", "title": "x"}, start, end, ZONE,
                            bells.get, one_date=True)
    assert (later.day, later.start_time, later.end_time) == (date(2026, 9, 10), time(10, 40), time(11, 20))
    series, _ = read_changes({"day": "2026-09-10", "period_number": "3", "period_to": "4", "title": "x"}, start,
                             end, ZONE, bells.get, one_date=False)
    assert (series.day, series.start_time, series.end_time) == (None, None, time(11, 20))
    _, errors = read_changes({"period_number": "9", "title": "x"}, start, end, ZONE, bells.get, one_date=False)
    assert set(errors) == {"period_number"}


def test_the_search_form_reads_a_period_or_times():
    data, errors = read_search({"category": "lab", "date": "2026-09-03", "period": "3", "students": "40"})
    assert errors == {} and (data.day, data.period_number, data.students) == (date(2026, 9, 3), 3, 40)
    data, errors = read_search({"category": "gym", "date": "2026-09-03", "start": "14:00", "end": "15:00"})
    assert (data.start_time, data.end_time, data.period_number) == (time(14), time(15), None)
    assert set(read_search({"date": "soon", "students": "x"})[1]) == {"date", "students"}


@dataclass
class Busy:
    start: datetime
    end: datetime
    kind: str
    status: str | None = None
    label: str = ""


def at(day, hour, minute=0):
    return datetime(2026, 9, day, hour, minute, tzinfo=ZONE)


def test_the_week_grid_says_what_each_slot_is():
    periods = [Period(2, time(8, 50), time(9, 30)), Period(1, time(8), time(8, 40))]
    busy = [Busy(at(2, 8), at(2, 8, 40), "booking", "confirmed", "一小 三年级2班 (实验)"),
            Busy(at(3, 8, 50), at(3, 9, 30), "booking", "pending", "二小 四年级1班 (实验)"),
            Busy(at(4, 0), at(5, 0), "closed", label="运动会")]
    free = {(date(2026, 9, 2), 2), (date(2026, 9, 3), 1)}
    grid = build_week_grid(date(2026, 8, 31), [0, 1, 2, 3, 4], periods, busy, free, ZONE, now=at(1, 8, 45))
    assert [row.period.number for row in grid.rows] == [1, 2]
    states = {(c.day.day, c.period): (c.state, c.holders) for row in grid.rows for c in row.cells}
    assert states[(2, 1)] == ("booked", ("一小 三年级2班 (实验)",))
    assert states[(3, 2)] == ("requested", ("二小 四年级1班 (实验)",))
    assert states[(4, 1)] == states[(4, 2)] == ("closed", ("运动会",))
    assert states[(3, 1)] == ("free", ()) and states[(2, 2)] == ("free", ())
    assert states[(1, 1)][0] == "past" and states[(1, 2)][0] == "unavailable"
    assert (grid.previous_week, grid.next_week) == (date(2026, 8, 24), date(2026, 9, 7))


def test_the_week_starts_on_monday_and_shows_weekends_only_when_open():
    assert monday_of("2026-09-03", date(2026, 1, 1)) == date(2026, 8, 31)
    assert monday_of("garbled", date(2026, 9, 6)) == date(2026, 8, 31)
    assert monday_of("9999-12-31", date(2026, 9, 6)) == date(2026, 8, 31)
    assert shown_weekdays([0, 1, 2]) == [0, 1, 2, 3, 4]
    assert shown_weekdays([5, 2]) == [0, 1, 2, 3, 4, 5]
