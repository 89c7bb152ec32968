"""The pure calendar modules, without an app: iCalendar text (ical) and rows → events (shaping)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from booking.calendars import ical
from booking.calendars.ical import EventText, SeriesEvent, SingleEvent, Timing
from booking.calendars.shaping import FULL, BookingFacts, SeriesFacts, Shaping, series_events, single_event

ZONE = ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(timezone.utc)


CREATED = at(8, 20, 9)
TEXT = EventText("物理实验室 · 科学实验", "新天寄宿制小学 · 二楼", "班级：三年级2班", "https://example.cn/resources/1")


DEFAULT_CANCELLED_SINCE = at(8, 1, 0)


def shaping(cancelled_since: datetime = DEFAULT_CANCELLED_SINCE) -> Shaping:
    return Shaping(zone=ZONE, uid_domain="test.example", cancelled_since=cancelled_since,
                   detail_for=lambda row: FULL, describe=lambda row, detail: replace(TEXT, summary=row.title))


def row(number: int, start: datetime, status: str = "confirmed", series_id: int | None = 7, **changes) -> BookingFacts:
    values = dict(id=number, series_id=series_id, starts_at=start, ends_at=start + timedelta(minutes=40),
                  status=status, sequence=0, updated_at=CREATED, original_start=start if series_id else None,
                  title="科学实验", class_name="三年级2班", resource_id=1, resource_kind="facility",
                  resource_name="物理实验室", resource_location="二楼", owner_school_id=1,
                  owner_school_name="新天寄宿制小学", school_id=1, school_name="新天寄宿制小学", booked_by_id=1,
                  booker_name="张老师", names_updated_at=CREATED)
    values.update(changes)
    return BookingFacts(**values)


SERIES = SeriesFacts(id=7, rrule="FREQ=WEEKLY;BYDAY=TH;UNTIL=20261001T015000Z", dtstart=at(9, 10, 9, 50),
                     duration_minutes=40, status="active", created_at=CREATED, updated_at=CREATED, title="科学实验",
                     class_name="三年级2班")
THURSDAYS = [at(9, 10, 9, 50), at(9, 17, 9, 50), at(9, 24, 9, 50), at(10, 1, 9, 50)]


def expand(events) -> list[tuple]:
    head = ical.calendar_head("测试", ZONE, date(2026, 1, 1), date(2027, 12, 31))
    body = ical.calendar_text(head, [ical.event_block(event, ZONE) for event in events])
    found = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(at(1, 1, 0), at(12, 31, 0))
    return sorted((e.start, e.end, str(e["STATUS"])) for e in found)


# --- shaping ---------------------------------------------------------------------------------------

def test_a_series_sends_skipped_and_cancelled_dates_as_exdates_and_a_moved_date_as_an_override():
    moved = row(2, THURSDAYS[1], starts_at=at(9, 18, 14), ends_at=at(9, 18, 14, 40), updated_at=at(9, 2, 8))
    rows = [row(1, THURSDAYS[0]), moved, row(3, THURSDAYS[2], "cancelled", updated_at=at(9, 3, 8))]
    (event,) = series_events(SERIES, rows, shaping())
    assert event.exdates == (THURSDAYS[2], THURSDAYS[3])  # cancelled; never booked (closed that day)
    assert [(rid, timing.start) for rid, timing in event.overrides] == [(THURSDAYS[1], at(9, 18, 14))]
    assert event.master.status == "CONFIRMED" and event.master.modified == at(9, 3, 8)
    assert expand([event]) == [(at(9, 10, 9, 50), at(9, 10, 10, 30), "CONFIRMED"),
                               (at(9, 18, 14), at(9, 18, 14, 40), "CONFIRMED")]


def test_dates_in_another_state_than_most_become_overrides():
    rows = [row(1, THURSDAYS[0], "pending"), row(2, THURSDAYS[1]), row(3, THURSDAYS[2]), row(4, THURSDAYS[3])]
    (event,) = series_events(SERIES, rows, shaping())
    assert event.master.status == "CONFIRMED" and event.exdates == ()
    assert [(rid, timing.status) for rid, timing in event.overrides] == [(THURSDAYS[0], "TENTATIVE")]
    assert [status for _s, _e, status in expand([event])] == ["TENTATIVE", "CONFIRMED", "CONFIRMED", "CONFIRMED"]


def test_a_date_with_its_own_purpose_is_an_override():
    rows = [row(1, THURSDAYS[0]), row(2, THURSDAYS[1], title="期中复习")]
    (event,) = series_events(SERIES, rows, shaping())
    assert [timing.text.summary for _rid, timing in event.overrides] == ["期中复习"]


def test_a_cancelled_series_is_sent_cancelled_for_30_days_then_dropped():
    cancelled = replace(SERIES, status="cancelled", updated_at=at(9, 5, 8))
    rows = [row(n, start, "cancelled", updated_at=at(9, 5, 8)) for n, start in enumerate(THURSDAYS, start=1)]
    (event,) = series_events(cancelled, rows, shaping(cancelled_since=at(9, 1, 0)))
    assert event.master.status == "CANCELLED" and event.exdates == () and event.overrides == ()
    assert series_events(cancelled, rows, shaping(cancelled_since=at(10, 6, 0))) == []


def test_rows_the_rule_cannot_place_still_reach_the_calendar():
    stray = row(9, at(9, 15, 9, 50), original_start=at(9, 15, 9, 50))  # a Tuesday: not in the rule
    events = series_events(SERIES, [row(1, THURSDAYS[0]), stray], shaping())
    assert [type(e).__name__ for e in events] == ["SeriesEvent", "SingleEvent"]
    assert events[1].uid == "booking-9@test.example"


def test_an_unreadable_rule_sends_every_date_as_a_single_event():
    broken = replace(SERIES, rrule="FREQ=YEARLY;BYSETPOS=1")
    events = series_events(broken, [row(1, THURSDAYS[0]), row(2, THURSDAYS[1])], shaping())
    assert [e.uid for e in events] == ["booking-1@test.example", "booking-2@test.example"]


def test_the_series_sequence_grows_with_every_later_change():
    rows = [row(1, THURSDAYS[0]), row(2, THURSDAYS[1])]
    (first,) = series_events(SERIES, rows, shaping())
    (later,) = series_events(SERIES, [rows[0], replace(rows[1], updated_at=at(9, 2, 8))], shaping())
    assert later.master.sequence > first.master.sequence >= 0


def test_single_bookings_keep_their_own_sequence_and_fade_after_cancellation():
    booking = row(5, at(9, 3, 9, 50), series_id=None, sequence=3)
    assert single_event(booking, shaping()).timing.sequence == 3
    cancelled = replace(booking, status="rejected", updated_at=at(9, 2, 8))
    assert single_event(cancelled, shaping(cancelled_since=at(9, 1, 0))).timing.status == "CANCELLED"
    assert single_event(cancelled, shaping(cancelled_since=at(9, 3, 0))) is None


# --- iCalendar text -----------------------------------------------------------------------------

def test_the_head_carries_the_calendar_properties_and_the_zone():
    head = ical.calendar_head("新天学区 · 预约", ZONE, date(2026, 1, 1), date(2027, 1, 1))
    calendar = icalendar.Calendar.from_ical(ical.calendar_text(head, []))
    assert str(calendar["METHOD"]) == "PUBLISH" and str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "新天学区 · 预约"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert "X-PUBLISHED-TTL:PT1H\r\n" in head
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_long_chinese_text_is_folded_at_75_octets_and_read_back_intact():
    summary = "物理实验室 · " + "三年级二班的力学与光学基础实验，记录数据并分析误差" * 4
    event = SingleEvent("booking-1@test.example", Timing(at(9, 3, 9, 50), at(9, 3, 10, 30), "CONFIRMED", 0,
                                                          CREATED, replace(TEXT, summary=summary)))
    block = ical.event_block(event, ZONE)
    assert all(len(line.encode()) <= 75 for line in block.split("\r\n"))
    parsed = icalendar.Event.from_ical(block)
    assert str(parsed["SUMMARY"]) == summary
    assert parsed["DTSTART"].dt == at(9, 3, 9, 50) and parsed["DTSTART"].params["TZID"] == "Asia/Shanghai"


def test_a_fingerprint_changes_with_any_input_and_the_zone():
    event = SingleEvent("booking-1@x", Timing(at(9, 3, 9), at(9, 3, 10), "CONFIRMED", 0, CREATED, TEXT))
    same = SingleEvent("booking-1@x", Timing(at(9, 3, 9), at(9, 3, 10), "CONFIRMED", 0, CREATED, TEXT))
    assert ical.fingerprint(event, ZONE) == ical.fingerprint(same, ZONE)
    assert ical.fingerprint(event, ZONE) != ical.fingerprint(replace(event, timing=replace(event.timing, sequence=1)),
                                                              ZONE)
    assert ical.fingerprint(event, ZONE) != ical.fingerprint(event, ZoneInfo("Asia/Urumqi"))


def test_a_series_block_holds_the_master_and_its_overrides_under_one_uid():
    master = Timing(THURSDAYS[0], THURSDAYS[0] + timedelta(minutes=40), "CONFIRMED", 5, CREATED, TEXT)
    moved = replace(master, start=at(9, 18, 14), end=at(9, 18, 14, 40))
    event = SeriesEvent("series-7@x", SERIES.rrule, master, (THURSDAYS[2],), ((THURSDAYS[1], moved),))
    components = icalendar.Calendar.from_ical("BEGIN:VCALENDAR\r\n" + ical.event_block(event, ZONE)
                                              + "END:VCALENDAR\r\n").walk("VEVENT")
    assert [str(c["UID"]) for c in components] == ["series-7@x", "series-7@x"]
    assert "RRULE" in components[0] and components[1]["RECURRENCE-ID"].dt == THURSDAYS[1]
