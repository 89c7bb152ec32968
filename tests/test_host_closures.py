"""Visiting teachers and the closures of the school they travel to (issue 13, item 2): a lesson there is
refused while it is closed (before, only the teacher's own school's closures counted), and the itinerary
and the mandate figures leave out lessons kept on such days."""
from __future__ import annotations

from datetime import date, time

import pytest

from booking.bookings import closures
from booking.bookings.errors import BookingRefused
from booking.bookings.models import BookingStatus
from booking.schools.calendar import ClosureInput
from booking.teachers.itinerary import itinerary
from booking.teachers.mandates import mandate_progress
from booking.teachers.visits import request_visit
from tests import factories
from tests.teacher_support import THURSDAY, auto_confirm
from tests.test_mandate_progress import cell
from tests.test_visit_requests import kinds, visit


def close(school, **kw):
    return factories.closure(school_id=school.id, district_id=school.district_id, start_date=THURSDAY,
                             end_date=THURSDAY, reason=kw.pop("reason", "运动会"), **kw)


def test_a_lesson_at_a_closed_host_school_is_refused(district):
    auto_confirm(district.lead.district_id)
    close(district.wangzhuang)
    with pytest.raises(BookingRefused) as refused:
        request_visit(district.teacher_a, visit(2, district.zhang))
    assert kinds(refused.value) == ["closed"]
    assert "王庄小学" in str(refused.value.refusals[0].message) and "运动会" in str(refused.value.refusals[0].message)
    # The closure is 王庄's alone: 石门小学 still gets its lesson that day.
    assert request_visit(district.teacher_b, visit(2, district.zhang)).bookings


def test_a_morning_closure_of_the_host_school_refuses_only_the_morning(district):
    auto_confirm(district.lead.district_id)
    close(district.wangzhuang, reason="开放日", start_time=time(8), end_time=time(10))
    with pytest.raises(BookingRefused) as refused:
        request_visit(district.teacher_a, visit(2, district.zhang))  # 第2节 08:50–09:30
    assert kinds(refused.value) == ["closed"] and "08:00" in str(refused.value.refusals[0].message)
    assert request_visit(district.teacher_a, visit(4, district.zhang)).bookings  # 第4节 10:40–11:20


def test_the_itinerary_and_the_mandates_skip_a_lesson_kept_on_a_closed_day(district):
    auto_confirm(district.lead.district_id)
    lesson = request_visit(district.teacher_a, visit(2, district.zhang)).bookings[0]
    other = request_visit(district.teacher_b, visit(4, district.zhang)).bookings[0]
    before = cell(mandate_progress(district.term, today=date(2026, 9, 1)), district.wangzhuang, "demonstration-music")
    assert before.planned == 1
    close(district.wangzhuang)  # added afterwards, the lesson kept
    [day] = itinerary(district.zhang, THURSDAY)
    assert [stop.booking for stop in day.lessons] == [other] and day.skipped == [lesson]
    assert all(stop.school != district.wangzhuang for stop in day.stops)
    after = cell(mandate_progress(district.term, today=date(2026, 9, 1)), district.wangzhuang, "demonstration-music")
    assert after.planned == 0
    assert cell(mandate_progress(district.term, today=date(2026, 9, 1)), district.shimen,
                "demonstration-music").planned == 1


def test_a_school_closure_lists_and_cancels_the_visiting_teachers_lessons_held_there(district):
    auto_confirm(district.lead.district_id)
    lesson = request_visit(district.teacher_a, visit(2, district.zhang)).bookings[0]
    elsewhere = request_visit(district.teacher_b, visit(4, district.zhang)).bookings[0]
    data = ClosureInput(THURSDAY.isoformat(), THURSDAY.isoformat(), "运动会", str(district.wangzhuang.id))
    assert closures.closure_hits(closures.validated(data)) == [lesson]
    saved = closures.create_closure(data, district.coordinator, "cancel")
    assert saved.cancelled == [lesson] and lesson.status == BookingStatus.CANCELLED
    assert elsewhere.status == BookingStatus.CONFIRMED
