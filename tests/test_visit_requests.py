"""Requesting a visit through the one booking engine: feasible specialists ranked by travel, the new
conflict kinds with alternatives, the subject check, approval or auto-confirm, and the API."""
from __future__ import annotations

from datetime import time

import pytest

from booking.bookings.approvals import approve_booking
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingStatus, LessonKind
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.teachers.models import TeacherBusyTime
from booking.teachers.visits import VisitInput, request_visit, visit_options
from booking.validation import ValidationFailed
from tests.api_support import bearer
from tests.booking_support import local
from tests.teacher_support import THURSDAY, auto_confirm


def visit(period: int, resource=None, subject="music", **kw) -> VisitInput:
    return VisitInput(subject=subject, day=THURSDAY, period_number=period, class_name="三年级", students=12,
                      resource_id=resource.resource_id if resource is not None else None, **kw)


def kinds(refused: BookingRefused) -> list[str]:
    return [r.kind.value for r in refused.refusals]


def test_only_specialists_who_can_get_there_in_time_are_listed_nearest_first(district):
    # 第2节 at 王庄 starts 08:50: 张丽 needs 20 minutes from home, 刘芳 60 (available from 08:00).
    options = visit_options(district.teacher_a, visit(2))
    assert [s.profile.user.display_name for s in options.specialists] == ["张丽"]
    assert options.specialists[0].travel_minutes == 20 and options.specialists[0].coming_from == district.lead
    assert options.unavailable == 1
    # 第4节 (10:40): both can come; the nearer trip first.
    later = visit_options(district.teacher_a, visit(4))
    assert [(s.profile.user.display_name, s.travel_minutes) for s in later.specialists] == [("张丽", 20), ("刘芳", 60)]


def test_the_trip_counts_from_the_previous_lesson_of_the_day(district):
    auto_confirm(district.lead.district_id)
    request_visit(district.teacher_a, visit(2, district.zhang))
    options = visit_options(district.teacher_b, visit(4))  # 张丽 leaves 王庄 at 09:30; 40 minutes to 石门
    zhang = next(s for s in options.specialists if s.profile == district.zhang)
    assert zhang.coming_from == district.wangzhuang and zhang.travel_minutes == 40


def test_a_request_confirms_at_once_when_the_district_says_so(district):
    auto_confirm(district.lead.district_id)
    created = request_visit(district.teacher_a, visit(2, district.zhang, lesson_kind="training"))
    booking = created.bookings[0]
    assert booking.status == BookingStatus.CONFIRMED and booking.blocks
    assert (booking.lesson_subject, booking.lesson_kind, booking.school_id) == ("music", LessonKind.TRAINING,
                                                                                 district.wangzhuang.id)
    assert booking.starts_at == local(9, 3, 8, 50)  # the bells of the class's school


def test_otherwise_the_lead_schools_admin_answers_and_the_answer_rechecks_travel(district):
    district.zhang.resource.approval_required = True  # the setting: requests wait for the lead admin
    db.session.commit()
    first = request_visit(district.teacher_a, visit(2, district.zhang)).bookings[0]
    second = request_visit(district.teacher_b, visit(3, district.zhang)).bookings[0]
    assert first.status == second.status == BookingStatus.PENDING  # requests do not block each other
    approve_booking(district.lead_admin, first)
    with pytest.raises(BookingRefused) as refused:
        approve_booking(district.lead_admin, second)
    assert kinds(refused.value) == ["travel_time"]


def test_an_impossible_trip_is_refused_with_travel_time_and_alternatives(district):
    auto_confirm(district.lead.district_id)
    request_visit(district.teacher_a, visit(2, district.zhang))
    db.session.commit()  # an earlier request
    with pytest.raises(BookingRefused) as refused:
        request_visit(district.teacher_b, visit(3, district.zhang))
    assert kinds(refused.value) == ["travel_time"]
    assert "40" in str(refused.value.refusals[0].message) and "王庄小学" in str(refused.value.refusals[0].message)
    alternatives = refused.value.suggestions
    assert alternatives and all(s.resource_id in (district.zhang.resource_id, district.liu.resource_id)
                                for s in alternatives)
    assert any(s.resource_id == district.liu.resource_id and s.start == local(9, 3, 9, 50) for s in alternatives)
    assert db.session.query(Booking).count() == 1  # nothing half-written


def test_teaching_elsewhere_and_home_school_lessons_are_teacher_busy(district):
    auto_confirm(district.lead.district_id)
    request_visit(district.teacher_a, visit(3, district.zhang))
    with pytest.raises(BookingRefused) as refused:
        request_visit(district.teacher_b, visit(3, district.zhang))
    assert kinds(refused.value) == ["teacher_busy"]
    db.session.add(TeacherBusyTime(profile=district.liu, weekday=3, starts=time(8), ends=time(11), note="本校音乐课"))
    db.session.commit()
    with pytest.raises(BookingRefused) as busy:
        request_visit(district.teacher_b, visit(4, district.liu))
    assert "teacher_busy" in kinds(busy.value)


def test_the_weekly_cap_and_the_available_times(district):
    auto_confirm(district.lead.district_id)
    district.wang.weekly_cap = 1
    db.session.commit()
    request_visit(district.teacher_a, visit(2, district.wang, subject="pe"))
    with pytest.raises(BookingRefused) as refused:
        request_visit(district.teacher_b, visit(5, district.wang, subject="pe"))
    assert kinds(refused.value) == ["over_workload"]
    for hours in district.liu.resource.opening_hours:
        hours.opens = hours.opens.replace(hour=13)
    db.session.commit()
    with pytest.raises(BookingRefused) as outside:
        request_visit(district.teacher_b, visit(4, district.liu))
    assert kinds(outside.value) == ["outside_availability"]


def test_a_subject_the_teacher_does_not_teach_is_bad_input(district):
    with pytest.raises(ValidationFailed) as failed:
        request_visit(district.teacher_a, visit(2, district.wang, subject="music"))
    assert list(failed.value.errors) == ["subject"] and "王强" in str(failed.value.errors["subject"])
    with pytest.raises(ValidationFailed) as bad:
        request_visit(district.teacher_a, VisitInput(subject="cooking", day=None, period_number=9))
    assert set(bad.value.errors) == {"subject", "day", "period_number"}
    assert db.session.query(Booking).count() == 0


def test_a_school_the_teacher_does_not_serve_is_refused(district):
    from tests import factories

    other = factories.user(school=factories.school(name="外区小学"))
    with pytest.raises(BookingRefused) as refused:
        request_visit(other, visit(2, district.zhang))
    assert kinds(refused.value)[0] == "not_shared"  # (no travel time is entered to that school either)


# --- the API -----------------------------------------------------------------------------------

def test_post_bookings_returns_the_new_conflict_kinds(district, client):
    auto_confirm(district.lead.district_id)
    body = {"resource_id": district.zhang.resource_id, "start": "2026-09-03T08:50:00+08:00",
            "end": "2026-09-03T09:30:00+08:00", "title": "音乐示范课", "subject": "music"}
    first = client.post("/api/v1/bookings", json=body, headers=bearer(district.teacher_a))
    assert first.status_code == 201, first.get_json()
    detail = client.get(f"/api/v1/bookings/{first.get_json()['id']}", headers=bearer(district.teacher_a)).get_json()
    assert (detail["lesson_subject"], detail["lesson_kind"], detail["outcome"]) == ("music", "demonstration", None)
    clash = client.post("/api/v1/bookings", headers=bearer(district.teacher_b),
                        json={**body, "start": "2026-09-03T09:50:00+08:00", "end": "2026-09-03T10:30:00+08:00"})
    assert clash.status_code == 409
    assert [c["kind"] for c in clash.get_json()["conflicts"]] == ["travel_time"]
    assert clash.get_json()["suggestions"]
    wrong = client.post("/api/v1/bookings", headers=bearer(district.teacher_b),
                        json={**body, "subject": "art", "start": "2026-09-04T09:50:00+08:00",
                              "end": "2026-09-04T10:30:00+08:00"})
    assert wrong.status_code == 422 and set(wrong.get_json()["fields"]) == {"subject"}
    room = client.post("/api/v1/bookings", headers=bearer(district.teacher_b),
                       json={**body, "resource_id": create_room(district).id, "lesson_kind": "training"})
    assert room.status_code == 422 and set(room.get_json()["fields"]) == {"subject", "lesson_kind"}


def create_room(district):
    from tests import factories

    return factories.resource(owner_school=district.lead, name="音乐教室")


def test_the_booking_form_of_a_teacher_leads_to_the_visit_request(district, login_as):
    client = login_as(district.teacher_a)
    response = client.get(f"/bookings/new/{district.zhang.resource_id}?day=2026-09-03&period_number=2")
    assert response.status_code == 302 and "/teachers/visit" in response.location
    assert "subject=music" in response.location and "period_number=2" in response.location


def test_create_booking_keeps_the_engine_for_rooms_unchanged(district):
    room = create_room(district)
    from tests.booking_support import single

    created = create_booking(district.teacher_a, single(room))
    assert created.bookings[0].lesson_kind is None and created.bookings[0].lesson_subject is None
