"""The demo's visiting teachers: profiles tied to their accounts, lessons that obey the teacher's rules,
recorded outcomes, and a mandate page with real progress (some schools behind)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from booking import clock
from booking.bookings import rules
from booking.bookings.rules import teachers as teacher_rules
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingOutcome, LessonKind
from booking.bookings.planning import request_for_booking
from booking.bookings.queries import as_existing
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.resources.models import Resource, ResourceKind
from booking.schools.services import current_term
from booking.seed.bookings import DEMO_NOW_LOCAL, DEMO_TODAY
from booking.seed.people import DEMO_PASSWORD
from booking.teachers.mandates import mandate_progress
from booking.teachers.models import TeacherProfile, VisitSettings
from tests.conftest import login


def test_the_demo_teachers_have_profiles_lessons_records_and_mandates(in_demo):
    client = in_demo.test_client()
    profiles = list(db.session.scalars(select(TeacherProfile)))
    assert len(profiles) == 6 and all(p.resource.kind == ResourceKind.TEACHER for p in profiles)
    zhang = next(p for p in profiles if p.user.email == "music.xt01@demo.xq")
    assert zhang.resource.name == "音乐 · 张丽老师" and zhang.subjects == ["music"] and zhang.home_school.code == "XT01"
    assert len(zhang.served) == 11 and zhang.busy_times and zhang.weekly_cap == 8
    assert db.session.scalar(select(VisitSettings)).auto_confirm

    lessons = list(db.session.scalars(select(Booking).join(Resource).where(Resource.kind == ResourceKind.TEACHER)))
    assert all(b.lesson_subject == b.resource.subject and b.lesson_kind is not None for b in lessons)
    assert {b.lesson_kind for b in lessons} == set(LessonKind)
    outcomes = {b.outcome for b in lessons}
    assert {BookingOutcome.USED, BookingOutcome.NO_SHOW, None} <= outcomes
    assert all(b.outcome_note for b in lessons if b.outcome == BookingOutcome.NO_SHOW)

    progress = mandate_progress(current_term(DEMO_TODAY), today=DEMO_TODAY)
    statuses = {cell.status for row in progress.rows for cell in row.cells}
    assert len(progress.rows) == 22 and {"behind", "met"} <= statuses  # 新天学区's tied schools (东河学区 has no 走教 ties)
    assert 0 < len(progress.behind_rows) < len(progress.rows)

    clock.freeze(local_to_utc(DEMO_TODAY, DEMO_NOW_LOCAL))
    assert login(client, zhang.user, DEMO_PASSWORD).status_code == 302
    assert "今日行程" in client.get("/teachers/today?day=2026-11-23").get_data(as_text=True)


def test_the_demo_lessons_obey_the_teachers_rules(in_demo):
    zone = district_zone()
    active = list(db.session.scalars(select(Booking).join(Resource).where(
        Resource.kind == ResourceKind.TEACHER, Booking.status.in_(ACTIVE_STATUSES))))
    by_teacher = defaultdict(list)
    for booking in active:
        by_teacher[booking.resource_id].append(booking)
    for bookings in by_teacher.values():
        request = request_for_booking(bookings[0], confirmed=True)
        for booking in bookings:
            interval = rules.Interval(booking.starts_at, booking.ends_at)
            others = as_existing(b for b in bookings if b is not booking)
            checked = dict(request.__dict__, school_id=booking.school_id, subject=booking.lesson_subject)
            found = (teacher_rules.teacher_refusals(rules.Request(**checked), interval, others, zone)
                     + rules.overlap_refusals(request, interval, others, zone))
            assert found == [], (booking, [str(r.message) for r in found])
            assert rules.hours_refusal(request.resource, interval, zone) is None
    assert sum(len(b) for b in by_teacher.values()) > 200 and date(2026, 9, 1) <= DEMO_TODAY
