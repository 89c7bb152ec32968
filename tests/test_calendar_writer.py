"""The line writer (ical.event_block) against the icalendar library: parsed back by icalendar, every property of
every VEVENT equals the one icalendar itself builds from the same event (ical.event_components), for text that
needs escaping and folding. Pure, no app."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import icalendar
import pytest

from booking.calendars import ical
from booking.calendars.ical import EventText, SeriesEvent, SingleEvent, Timing
from booking.calendars.shaping import SeriesFacts, series_events
from tests.test_calendar_ical import CREATED, SERIES, TEXT, THURSDAYS, ZONE, at, row, shaping

TRICKY = [
    "物理实验室（二楼） · 科学实验",
    "逗号, 分号; 反斜杠\\ 和 \\, 与 \\; 还有 \\\\ 两个",
    "第一行\n第二行\r\n第三行\n",
    "名" * 200,
    "x" * 73 + "\\;" + "长" * 30 + "," * 40,  # escapes right where a fold falls
    "a\\nb 不是换行, C:\\temp\\new",
    "emoji 🧪🔬 and combining é, tab\there",
]


def reference_block(event) -> str:
    return "".join(component.to_ical().decode() for component in ical.event_components(event, ZONE))


def components(block: str) -> list:
    return icalendar.Calendar.from_ical("BEGIN:VCALENDAR\r\n" + block + "END:VCALENDAR\r\n").walk("VEVENT")


def fields(component) -> dict:
    """Every property as icalendar reads it: its canonical text and its parameters."""
    return {name: (value.to_ical(), dict(value.params)) for name, value in component.property_items()[1:-1]}


def assert_same_as_icalendar(event) -> str:
    block = ical.event_block(event, ZONE)
    ours, theirs = components(block), components(reference_block(event))
    assert len(ours) == len(theirs)
    for mine, reference in zip(ours, theirs):
        assert fields(mine) == fields(reference)
    lines = block.split("\r\n")
    assert lines[-1] == "" and all(len(line.encode()) <= 75 for line in lines)
    for line in lines:
        line.encode().decode("utf-8")  # no physical line ends inside a UTF-8 sequence
    assert "\n" not in block.replace("\r\n", "")
    return block


@pytest.mark.parametrize("words", TRICKY)
def test_a_single_event_reads_back_as_icalendar_builds_it(words):
    text = EventText(words, "新天寄宿制小学 · " + words, "班级：三年级2班\n" + words, "https://example.cn/resources/1")
    event = SingleEvent("booking-1@test.example", Timing(at(9, 3, 9, 50), at(9, 3, 10, 30), "TENTATIVE", 3,
                                                          CREATED, text))
    block = assert_same_as_icalendar(event)
    (parsed,) = components(block)
    assert str(parsed["SUMMARY"]) == words.replace("\r\n", "\n")
    assert str(parsed["DESCRIPTION"]) == "班级：三年级2班\n" + words.replace("\r\n", "\n")


@pytest.mark.parametrize("words", TRICKY)
def test_a_series_with_exdates_and_overrides_reads_back_as_icalendar_builds_it(words):
    rows = [row(1, THURSDAYS[0], title=words), row(2, THURSDAYS[1], title=words + "，改",
                                                     starts_at=at(9, 18, 14), ends_at=at(9, 18, 14, 40)),
            row(3, THURSDAYS[2], "cancelled", title=words)]
    series = replace(SERIES, title=words, class_name=words[:100])
    (event,) = series_events(series, rows, shaping())
    assert event.exdates and event.overrides
    assert_same_as_icalendar(event)


def test_a_cancelled_series_and_every_status_read_back_as_icalendar_builds_them():
    for status in ("CONFIRMED", "TENTATIVE", "CANCELLED"):
        master = Timing(THURSDAYS[0], THURSDAYS[0] + timedelta(minutes=40), status, 7, CREATED, TEXT)
        assert_same_as_icalendar(SeriesEvent("series-7@x", SERIES.rrule, master))
    no_extras = SingleEvent("booking-2@x", Timing(at(9, 3, 9), at(9, 3, 10), "CONFIRMED", 0, CREATED,
                                                  EventText("只有标题", "", "", "")))
    assert_same_as_icalendar(no_extras)


def test_text_the_library_would_alter_survives_and_control_characters_are_left_out():
    # icalendar turns a typed "\N" into a line break; RFC 5545 TEXT keeps the backslash (escaped).
    event = SingleEvent("booking-3@x", Timing(at(9, 3, 9), at(9, 3, 10), "CONFIRMED", 0, CREATED,
                                              EventText("D:\\New folder\x00\x07 ok", "", "", "")))
    (parsed,) = components(ical.event_block(event, ZONE))
    assert str(parsed["SUMMARY"]) == "D:\\New folder ok"


def test_an_rrule_is_written_as_stored():
    facts = SeriesFacts(**{**SERIES.__dict__, "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=3"})
    (event,) = series_events(facts, [row(1, THURSDAYS[0])], shaping())
    block = assert_same_as_icalendar(event)
    assert "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=3\r\n" in block


def test_folding_never_splits_a_character_or_an_escape():
    for length in range(60, 90):
        for filler in ("长", "🧪", "\\\\", "a"):
            line = "SUMMARY:" + ("x" * (length % 7)) + ical.escape_text(filler * length)
            folded = ical.fold(line)
            physical = folded.removesuffix("\r\n").split("\r\n")
            assert all(len(part.encode()) <= 75 for part in physical)
            assert all(part.startswith(" ") for part in physical[1:])
            assert physical[0] + "".join(part[1:] for part in physical[1:]) == line
            for left in physical[:-1]:  # an escape's backslash is never left at a line's end
                body = left.rstrip("\\")
                assert (len(left) - len(body)) % 2 == 0
