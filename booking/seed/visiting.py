"""The demo's visiting teachers as people: each account tied to its teacher resource by a profile,
the home-school timetable that comes first, and what happened at the lessons already held.

- Home duties are reserved in the slot plan before the visits are planned, so no seeded visit
  falls on them; they become the teachers' weekly busy times for the term.
- A visit series mixes demonstration lessons, regular lessons and training sessions; occasional
  visits to the farthest schools are demonstrations. So the nearer schools are on track for
  their mandates and the farthest ones behind, as in a real district.
- Lessons before the demo's "now" were recorded by the teacher: most delivered, a few not
  (with the reason); the last few days' lessons still wait for their record.
"""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from booking.bookings.models import Booking, BookingOutcome, BookingStatus, LessonKind
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import Term
from booking.seed import directory as d
from booking.seed.booking_rows import RowWriter
from booking.seed.people import email_for
from booking.seed.slots import SlotPlan
from booking.teachers.models import TeacherBusyTime, TeacherProfile, TeacherSubject, VisitSettings

WEEKLY_CAP = 8  # lessons away from home a week: at most one per half day, two half days at home
# The weekdays each subject's teacher teaches at home in the morning (periods 1 and 2).
HOME_MORNINGS = {"music": (0, 3), "pe": (1, 4), "art": (2, 0)}
MORNING_HALF_DAY = (time(7, 0), time(12, 30))  # the span visits hold in the plan (see timetables.VISIT_SLOTS)
HOME_DUTY_NOTES = {"music": "本校音乐课", "pe": "本校体育课", "art": "本校美术课"}
# Of a visit series' dates in order: this pattern of kinds, repeated.
SERIES_KINDS = (LessonKind.DEMONSTRATION, LessonKind.REGULAR, LessonKind.TRAINING, LessonKind.DEMONSTRATION,
                LessonKind.REGULAR)
TAUGHT = {"music": ("学唱《茉莉花》", "节奏练习与合唱", "认识打击乐器"), "pe": ("跳绳与接力跑", "篮球运球基础", "队列队形"),
          "art": ("水彩画：秋天的树", "剪纸：窗花", "泥塑：小动物")}
NOT_DELIVERED_EVERY = 15
NOT_DELIVERED_REASONS = ("学校临时组织安全演练，课程未上", "道路积雪，未能按时到校", "班级外出参加镇运动会")
UNRECORDED_DAYS = 4  # lessons of the last days before "now" still wait for their record


def teachers_of(directory: d.Directory) -> list[Resource]:
    return [r for lead in directory.leads for r in directory.owned_by(lead) if r.kind == ResourceKind.TEACHER]


def reserve_home_duties(directory: d.Directory, plan: SlotPlan) -> None:
    """Keep the home-school mornings free of visits (call before the visits are planned)."""
    for teacher in teachers_of(directory):
        for weekday in HOME_MORNINGS[teacher.subject]:
            plan.take_weekly(teacher.id, weekday, MORNING_HALF_DAY)


def _account(directory: d.Directory, teacher: Resource):
    """The teacher's own account: music.xt01@… for the music teacher of XT01."""
    return directory.users[email_for(f"{teacher.subject}.{teacher.owner_school.code.lower()}")]


def create_profiles(directory: d.Directory, term: Term) -> list[TeacherProfile]:
    profiles = []
    for teacher in teachers_of(directory):
        lead = teacher.owner_school
        profile = TeacherProfile(user=_account(directory, teacher), resource=teacher, home_school=lead,
                                 weekly_cap=WEEKLY_CAP, subject_rows=[TeacherSubject(subject=teacher.subject)],
                                 served=directory.villages(lead))
        first, second = lead.bell_periods[0], lead.bell_periods[1]
        profile.busy_times = [TeacherBusyTime(weekday=weekday, starts=first.start_time, ends=second.end_time,
                                              term_id=term.id, note=HOME_DUTY_NOTES[teacher.subject])
                              for weekday in HOME_MORNINGS[teacher.subject]]
        profiles.append(profile)
    return profiles


def settings(term: Term) -> VisitSettings:
    """The demo's visit requests confirm at once (the seeded teacher resources need no approval)."""
    return VisitSettings(district_id=term.district_id, auto_confirm=True)


def _lesson_rows(writer: RowWriter) -> list[Booking]:
    return [b for b in writer.bookings if b.resource.kind == ResourceKind.TEACHER]


def describe_lessons(writer: RowWriter, profiles: list[TeacherProfile], rng: random.Random) -> None:
    """Subject and kind of every visiting lesson; the record of those already held."""
    accounts = {profile.resource.id: profile.user for profile in profiles}
    position: dict[int, int] = {}
    for booking in sorted(_lesson_rows(writer), key=lambda b: b.starts_at):
        booking.lesson_subject = booking.resource.subject
        if booking.series is not None:
            index = position[id(booking.series)] = position.get(id(booking.series), -1) + 1
            booking.lesson_kind = SERIES_KINDS[index % len(SERIES_KINDS)]
        else:
            booking.lesson_kind = LessonKind.DEMONSTRATION
        _record(booking, accounts[booking.resource.id], writer.now, rng)


def _record(booking: Booking, teacher, now: datetime, rng: random.Random) -> None:
    if booking.status != BookingStatus.CONFIRMED or booking.ends_at > now - timedelta(days=UNRECORDED_DAYS):
        return
    if rng.randrange(NOT_DELIVERED_EVERY) == 0:
        booking.outcome, booking.outcome_note = BookingOutcome.NO_SHOW, rng.choice(NOT_DELIVERED_REASONS)
    else:
        booking.outcome, booking.outcome_note = BookingOutcome.USED, rng.choice(TAUGHT[booking.lesson_subject])
    booking.outcome_recorded_at = booking.ends_at + timedelta(hours=2)
    booking.outcome_recorded_by_id = teacher.id
