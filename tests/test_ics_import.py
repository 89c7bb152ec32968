"""Reading closures and term dates from .ics files, then planning and applying the import."""
from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings.models import BookingSeries
from booking.bookings.services import create_booking
from booking.calendars.ics_import import ImportedEvent, ImportProblems, read_events
from booking.calendars.imports import CLOSURES, TERMS, ImportTarget, apply_import, plan_import
from booking.calendars.models import TermSource
from booking.extensions import db
from booking.schools.models import Closure, Term
from booking.validation import ValidationFailed
from tests import factories
from tests.booking_support import freeze, single

ZONE = ZoneInfo("Asia/Shanghai")


def vevent(summary: str, *lines: str, uid: str | None = None) -> str:
    uid_line = [f"UID:{uid}"] if uid else []
    return "\r\n".join(["BEGIN:VEVENT", *uid_line, f"SUMMARY:{summary}", *lines, "END:VEVENT"])


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + "\r\n".join(events)
            + "\r\nEND:VCALENDAR\r\n").encode()


HOLIDAYS = calendar(
    vevent("国庆节", "DTSTART;VALUE=DATE:20261001", "DTEND;VALUE=DATE:20261008", uid="national-day-2026@gov"),
    vevent("运动会", "DTSTART;TZID=Asia/Shanghai:20261015T080000", "DTEND;TZID=Asia/Shanghai:20261015T170000",
           uid="sports-2026@xt"),
    vevent("元旦", "DTSTART;VALUE=DATE:20270101", uid="new-year-2027@gov"),
)


# --- reading --------------------------------------------------------------------------------------

def test_all_day_events_become_inclusive_local_days_and_a_timed_one_keeps_its_range():
    """Issue 13: a timed event 08:00–17:00 closes that range of its day, not the whole day."""
    assert read_events(HOLIDAYS, ZONE) == [
        ImportedEvent("national-day-2026@gov", "国庆节", date(2026, 10, 1), date(2026, 10, 7)),
        ImportedEvent("sports-2026@xt", "运动会", date(2026, 10, 15), date(2026, 10, 15), time(8), time(17)),
        ImportedEvent("new-year-2027@gov", "元旦", date(2027, 1, 1), date(2027, 1, 1)),
    ]


def test_utc_and_floating_times_are_read_in_district_time():
    data = calendar(vevent("夜间检修", "DTSTART:20261015T170000Z", "DTEND:20261015T230000Z", uid="a"),
                    vevent("校庆", "DTSTART:20261020T080000", "DURATION:PT4H", uid="b"),
                    vevent("到午夜", "DTSTART:20261021T080000", "DTEND:20261022T000000", uid="c"))
    assert [(e.start, e.end, e.start_time, e.end_time) for e in read_events(data, ZONE)] == [
        (date(2026, 10, 16), date(2026, 10, 16), time(1), time(7)),
        (date(2026, 10, 20), date(2026, 10, 20), time(8), time(12)),
        (date(2026, 10, 21), date(2026, 10, 21), time(8), time(23, 59, 59))]


def test_a_timed_event_over_several_days_closes_whole_days():
    data = calendar(vevent("研学旅行", "DTSTART:20261020T080000", "DTEND:20261022T120000", uid="trip"))
    [event] = read_events(data, ZONE)
    assert (event.start, event.end, event.start_time, event.end_time) == (date(2026, 10, 20), date(2026, 10, 22),
                                                                          None, None)


def test_an_event_without_uid_gets_one_that_stays_the_same_and_cancelled_events_are_left_out():
    data = calendar(vevent("教研活动", "DTSTART;VALUE=DATE:20261110"),
                    vevent("取消的活动", "DTSTART;VALUE=DATE:20261111", "STATUS:CANCELLED", uid="gone"))
    first, second = read_events(data, ZONE), read_events(data, ZONE)
    assert len(first) == 1 and first == second and first[0].uid.startswith("generated-")


@pytest.mark.parametrize("data, fragment", [
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not an iCalendar"),
    (b"hello, world", "not an iCalendar"),
    (b"BEGIN:VCALENDAR\r\nthis is not a content line\r\nEND:VCALENDAR\r\n", "damaged"),
    (calendar(), "no events"),
    (b"BEGIN:VCALENDAR\r\n" + b"X-FILL:" + b"x" * (1024 * 1024) + b"\r\nEND:VCALENDAR\r\n", "larger than 1024 KB"),
    (calendar(*[vevent(f"e{n}", "DTSTART;VALUE=DATE:20261110", uid=f"u{n}") for n in range(2001)]), "more than 2000"),
    (calendar(vevent("没有日期", uid="x")), "“没有日期” has no valid dates"),
    (calendar(vevent("坏日期", "DTSTART;VALUE=DATE:2026131X", uid="x")), "has no valid dates"),
    (calendar(vevent("每周", "DTSTART;VALUE=DATE:20261110", "RRULE:FREQ=WEEKLY", uid="x")), "repeats"),
    (calendar(vevent("倒着", "DTSTART;VALUE=DATE:20261110", "DTEND;VALUE=DATE:20261101", uid="x")), "ends before"),
    (calendar(vevent("太长", "DTSTART;VALUE=DATE:20260101", "DTEND;VALUE=DATE:20270301", uid="x")), "more than a year"),
    (calendar(vevent("一", "DTSTART;VALUE=DATE:20261110", uid="same"),
              vevent("二", "DTSTART;VALUE=DATE:20261111", uid="same")), "share the UID same"),
])
def test_bad_files_are_refused_with_a_clear_reason(app, data, fragment):
    with pytest.raises(ImportProblems) as refused:
        read_events(data, ZONE)
    with force_locale("en"):
        messages = [str(message) for message in refused.value.messages]
    assert any(fragment in message for message in messages), messages


def test_a_problem_names_a_long_title_shortened(app):
    """Regression (an attack pass, 2026-12-06): a 5,000-character SUMMARY came back whole in the message."""
    with pytest.raises(ImportProblems) as refused:
        read_events(calendar(vevent("长" * 5000, uid="x")), ZONE)
    with force_locale("en"):
        [message] = [str(message) for message in refused.value.messages]
    assert message == f"“{'长' * 60}…” has no valid dates."


def test_every_problem_of_a_file_is_reported_at_once(app):
    data = calendar(vevent("没有日期", uid="a"), vevent("每周", "DTSTART;VALUE=DATE:20261110", "RRULE:FREQ=DAILY",
                                                       uid="b"), vevent("好的", "DTSTART;VALUE=DATE:20261112", uid="c"))
    with pytest.raises(ImportProblems) as refused:
        read_events(data, ZONE)
    assert len(refused.value.messages) == 2


# --- planning and applying ------------------------------------------------------------------------

@pytest.fixture
def coordinator(app):
    return factories.user(role=Role.COORDINATOR)


def closures() -> list[tuple]:
    return sorted(((c.source_uid or "", c.school_id, c.reason, c.start_date, c.end_date)
                   for c in db.session.scalars(select(Closure))), key=lambda c: (c[0], c[1] or 0))


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_first_import_adds_and_the_same_file_again_changes_nothing(coordinator):
    events, target = read_events(HOLIDAYS, ZONE), ImportTarget(CLOSURES)
    plan = plan_import(events, target)
    assert [c.action for c in plan.changes] == ["add", "add", "add"] and plan.problems == []
    apply_import(events, target, coordinator)
    stored, ids, audits = closures(), sorted(db.session.scalars(select(Closure.id))), audit_count()
    assert ("national-day-2026@gov", None, "国庆节", date(2026, 10, 1), date(2026, 10, 7)) in stored

    again = plan_import(read_events(HOLIDAYS, ZONE), target)
    assert {c.action for c in again.changes} == {"keep"} and not again.has_changes
    apply_import(read_events(HOLIDAYS, ZONE), target, coordinator)
    assert closures() == stored and sorted(db.session.scalars(select(Closure.id))) == ids
    assert audit_count() == audits


def test_a_changed_file_updates_adds_and_removes_by_uid_leaving_hand_made_closures(coordinator):
    factories.closure(reason="手工录入的停课", start_date=date(2026, 11, 2), end_date=date(2026, 11, 2))
    apply_import(read_events(HOLIDAYS, ZONE), ImportTarget(CLOSURES), coordinator)
    national_day_id = db.session.scalar(select(Closure.id).where(Closure.source_uid == "national-day-2026@gov"))
    changed = calendar(
        vevent("国庆节（调整）", "DTSTART;VALUE=DATE:20261001", "DTEND;VALUE=DATE:20261006", uid="national-day-2026@gov"),
        vevent("元旦", "DTSTART;VALUE=DATE:20270101", uid="new-year-2027@gov"),
        vevent("期中考试", "DTSTART;VALUE=DATE:20261109", uid="midterm@xt"),
    )
    plan = plan_import(read_events(changed, ZONE), ImportTarget(CLOSURES))
    assert sorted((c.action, c.uid) for c in plan.changes) == [
        ("add", "midterm@xt"), ("change", "national-day-2026@gov"), ("keep", "new-year-2027@gov"),
        ("remove", "sports-2026@xt")]
    assert plan.of("change")[0].before == ("国庆节", date(2026, 10, 1), date(2026, 10, 7))
    apply_import(read_events(changed, ZONE), ImportTarget(CLOSURES), coordinator)
    assert db.session.get(Closure, national_day_id).end_date == date(2026, 10, 5)  # updated in place
    assert {c[2] for c in closures()} == {"手工录入的停课", "国庆节（调整）", "期中考试", "元旦"}


def test_keeping_earlier_imports_and_importing_for_one_school(coordinator):
    school = factories.school()
    apply_import(read_events(HOLIDAYS, ZONE), ImportTarget(CLOSURES), coordinator)
    only_sports = calendar(vevent("运动会", "DTSTART;TZID=Asia/Shanghai:20261015T080000",
                                  "DTEND;TZID=Asia/Shanghai:20261015T170000", uid="sports-2026@xt"))
    kept = plan_import(read_events(only_sports, ZONE), ImportTarget(CLOSURES, remove_missing=False))
    assert [c.action for c in kept.changes] == ["keep"]
    apply_import(read_events(only_sports, ZONE), ImportTarget(CLOSURES, school_id=school.id), coordinator)
    assert len(closures()) == 4  # the school's copy is its own; the district's stay
    assert [c[1] for c in closures() if c[0] == "sports-2026@xt"] == [None, school.id]


TERM_FILE = calendar(
    vevent("2026秋季学期", "DTSTART;VALUE=DATE:20260901", "DTEND;VALUE=DATE:20270123", uid="term-2026-autumn"),
    vevent("2027春季学期", "DTSTART;VALUE=DATE:20270222", "DTEND;VALUE=DATE:20270710", uid="term-2027-spring"),
)


def test_term_dates_import_and_reimport_by_uid(coordinator):
    events = read_events(TERM_FILE, ZONE)
    apply_import(events, ImportTarget(TERMS), coordinator)
    terms = sorted((t.name, t.start_date, t.end_date) for t in db.session.scalars(select(Term)))
    assert terms == [("2026秋季学期", date(2026, 9, 1), date(2027, 1, 22)),
                     ("2027春季学期", date(2027, 2, 22), date(2027, 7, 9))]
    assert set(db.session.scalars(select(TermSource.source_uid))) == {"term-2026-autumn", "term-2027-spring"}
    assert not plan_import(events, ImportTarget(TERMS)).has_changes


def test_terms_that_would_overlap_or_are_in_use_stop_the_import(coordinator):
    factories.term(name="手工学期", start_date=date(2027, 3, 1), end_date=date(2027, 3, 31))
    plan = plan_import(read_events(TERM_FILE, ZONE), ImportTarget(TERMS))
    assert len(plan.problems) == 1 and "手工学期" in str(plan.problems[0])
    with pytest.raises(ValidationFailed):
        apply_import(read_events(TERM_FILE, ZONE), ImportTarget(TERMS), coordinator)
    assert db.session.scalar(select(func.count()).select_from(TermSource)) == 0


def test_a_term_bookings_use_is_not_removed(coordinator):
    apply_import(read_events(TERM_FILE, ZONE), ImportTarget(TERMS), coordinator)
    autumn = db.session.scalar(select(Term).where(Term.name == "2026秋季学期"))
    teacher, lab = factories.user(), factories.resource()
    freeze()
    create_booking(teacher, single(lab, day=10, rrule="FREQ=WEEKLY;BYDAY=TH", term_id=autumn.id))
    assert db.session.scalar(select(BookingSeries.term_id)) == autumn.id
    spring_only = calendar(vevent("2027春季学期", "DTSTART;VALUE=DATE:20270222", "DTEND;VALUE=DATE:20270710",
                                  uid="term-2027-spring"))
    plan = plan_import(read_events(spring_only, ZONE), ImportTarget(TERMS))
    assert [str(p) for p in plan.problems] and "2026秋季学期" in str(plan.problems[0])
