"""The demo's weekly timetables: the term-long series that make up most of a district's bookings.

- lead-school classes in their own rooms (every week, by the lead school's bells);
- village classes bussed to their lead school's labs, gym, music and art rooms, weekly or
  every other week, in the lead school's afternoon periods;
- small schools' own reading rooms and multimedia classrooms;
- visiting teachers (走教): every other week at the nearer schools, now and then at the farthest
  ones, one visit per half day so the trip always fits between lessons.
"""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from booking.accounts.models import Role
from booking.bookings.models import BookingStatus
from booking.resources.models import Category, Resource, ResourceKind, Sharing
from booking.schools.models import School
from booking.schools.travel import ordered_pair
from booking.seed import directory as d
from booking.seed.booking_rows import Outcome, RowWriter, Who, apply_outcome
from booking.seed.slots import SlotPlan, pick_dated, pick_weekly

TITLES = {
    Category.GYM: ("体育课：篮球", "体育课：乒乓球", "体育课：排球", "雨天体育课", "跳绳训练"),
    Category.SPORTS_FIELD: ("体育课：田径", "足球兴趣课", "体育课：队列队形"),
    Category.COMPUTER_ROOM: ("信息科技课", "编程兴趣小组", "信息科技：文字录入"),
    Category.LIBRARY: ("阅读课", "整本书阅读指导", "借阅课"),
    Category.MUSIC_ROOM: ("音乐课", "合唱排练", "器乐兴趣课（电子琴）"),
    Category.ART_ROOM: ("美术课：水彩", "美术课：剪纸", "书法课"),
    Category.MULTIMEDIA_ROOM: ("同步课堂：数学", "同步课堂：英语", "公开课"),
}
LAB_TITLES = {
    "physics": ("科学实验：力与运动", "科学实验：电路连接"),
    "chemistry": ("科学实验：物质的变化", "科学实验：溶解"),
    "biology": ("科学实验：显微镜观察", "科学实验：植物的结构"),
    "science": ("科学分组实验", "科学实验：水的三态变化", "科学实验：简单机械"),
}
SUBJECT_NAMES = {"music": "音乐", "pe": "体育", "art": "美术"}
# Weekly series a lead school runs in each of its own rooms.
LEAD_SERIES = {Category.GYM: 4, Category.SPORTS_FIELD: 3, Category.LAB: 3, Category.COMPUTER_ROOM: 3,
               Category.MUSIC_ROOM: 3, Category.ART_ROOM: 3, Category.LIBRARY: 2, Category.MULTIMEDIA_ROOM: 2}
# What village classes come to the lead school for, and how often each is chosen.
VISIT_ROOMS = {"科学实验室": 4, "体育馆": 3, "音乐教室": 3, "美术教室": 2, "计算机教室": 2, "图书馆": 2, "生物实验室": 1}
# The nearest schools get a visiting teacher every other week; the farthest ones now and then.
REGULAR_VISITS = 8
OCCASIONAL_VISITS = (1, 2, 2, 3, 4)
# 期中考试: lab and music lessons of the lead schools were called off on these days.
EXAM_DAYS = (date(2026, 11, 11), date(2026, 11, 12))
EXAM_REASON = "期中考试，本周停课一次"
# A visiting teacher teaches the host's 3rd or first afternoon period, and holds the whole half day
# in the plan: never two schools in one morning, so the trip always fits between lessons.
VISIT_SLOTS = [(3, (time(7, 0), time(12, 30))), (d.FIRST_AFTERNOON_PERIOD, (time(12, 30), time(18, 0)))]


def title_for(rng: random.Random, resource: Resource) -> str:
    if resource.category == Category.LAB:
        return rng.choice(LAB_TITLES[resource.subject])
    return rng.choice(TITLES[resource.category])


def grades_for(resource: Resource) -> tuple[str, ...]:
    return d.LAB_GRADES if resource.category in (Category.LAB, Category.COMPUTER_ROOM) else d.GRADES


def weekly_candidates(periods: list[tuple[int, tuple]]) -> list[tuple[int, int, tuple]]:
    return [(weekday, number, span) for weekday in range(5) for number, span in periods]


class Timetables:
    def __init__(self, directory: d.Directory, plan: SlotPlan, writer: RowWriter, rng: random.Random):
        self.dir, self.plan, self.writer, self.rng = directory, plan, writer, rng
        self.term = writer.term

    def _weekly(self, resource: Resource, who: Who, periods, *, title: str | None = None, interval: int = 1,
                start_week: int = 0) -> None:
        """A series in the first free (weekday, period) of ``periods``; none if the room is full."""
        slot = pick_weekly(self.rng, self.plan, resource.id, weekly_candidates(periods))
        if slot is not None:
            weekday, number, span = slot
            self._series(resource, who, weekday, number, span, title or title_for(self.rng, resource),
                         interval=interval, start_week=start_week)

    def _series(self, resource: Resource, who: Who, weekday: int, number: int | None, span, title: str, *,
                interval: int = 1, start_week: int = 0) -> None:
        """``number`` is a period of the resource's owner school (as the booking form reads it), or None.

        A teacher's series of a resource that needs approval was approved by the owner school's admin.
        """
        first = d.first_on_or_after(self.term.start_date + timedelta(weeks=start_week), weekday)
        needs_answer = resource.approval_required and who.booker.role == Role.TEACHER
        approved_by = self.dir.admin(resource.owner_school) if needs_answer else None
        self.writer.add_series(resource, who, first, span, title, period_number=number, interval=interval,
                               approved_by=approved_by)

    def lead_classes(self) -> None:
        for lead in self.dir.leads:
            bookers = self.dir.teachers(lead)
            for resource in self.dir.owned_by(lead):
                # The own-school recording room is booked by the admin for open lessons (公开课).
                own_only = resource.sharing == Sharing.OWN_SCHOOL
                for _ in range(1 if own_only else LEAD_SERIES.get(resource.category, 0)):
                    booker = self.dir.admin(lead) if own_only else self.rng.choice(bookers)
                    who = d.class_of(self.rng, lead, booker, grades_for(resource))
                    self._weekly(resource, who, d.periods(lead), title="公开课录制" if own_only else None)

    def village_classes(self) -> None:
        """Each small school sends one class (two from the bigger schools) to its lead school's rooms."""
        for lead in self.dir.leads:
            for school in self.dir.villages(lead):
                wanted = 2 if school.enrollment >= 100 else 1
                for name in self._pick_rooms(wanted):
                    resource = self.dir.resource(lead, name)
                    booker = self.rng.choice(self.dir.teachers(school))
                    who = d.class_of(self.rng, school, booker, grades_for(resource))
                    # The lesson is held at the lead school, so it follows the lead school's bells.
                    self._weekly(resource, who, d.afternoon_periods(lead), interval=self.rng.choice((1, 2)),
                                 start_week=self.rng.choice((1, 2)))
                self._own_rooms(school)

    def _pick_rooms(self, wanted: int) -> list[str]:
        names, weights = list(VISIT_ROOMS), list(VISIT_ROOMS.values())
        chosen: list[str] = []
        while len(chosen) < wanted:
            name = self.rng.choices(names, weights)[0]
            if name not in chosen:
                chosen.append(name)
        return chosen

    def _own_rooms(self, school: School) -> None:
        for resource in self.dir.owned_by(school):
            who = d.class_of(self.rng, school, self.rng.choice(self.dir.teachers(school)))
            self._weekly(resource, who, d.periods(school))

    def visiting_teachers(self, travel: dict[tuple[int, int], int]) -> None:
        for lead in self.dir.leads:
            villages = sorted(self.dir.villages(lead), key=lambda s: travel[ordered_pair(lead.id, s.id)])
            for teacher in self.dir.owned_by(lead):
                if teacher.kind != ResourceKind.TEACHER:
                    continue
                title = f"{SUBJECT_NAMES[teacher.subject]}走教示范课"
                for school in villages[:REGULAR_VISITS]:
                    self._visit_series(teacher, school, title)
                for school in villages[REGULAR_VISITS:]:
                    self._occasional_visits(teacher, school, title)

    def _visit_series(self, teacher: Resource, school: School, title: str) -> None:
        slot = pick_weekly(self.rng, self.plan, teacher.id, weekly_candidates(VISIT_SLOTS))
        if slot is not None:
            weekday, number, _half_day = slot
            who = d.class_of(self.rng, school, self.dir.teachers(school)[0])
            # The host school's bell, not the teacher's home school's: so clock times, no period number.
            self._series(teacher, who, weekday, None, dict(d.periods(school))[number], title,
                         interval=2, start_week=self.rng.choice((1, 2)))

    def _occasional_visits(self, teacher: Resource, school: School, title: str) -> None:
        days = self.writer.open_days(teacher.owner_school, school)
        for _ in range(self.rng.choice(OCCASIONAL_VISITS)):
            slot = pick_dated(self.rng, self.plan, teacher.id, days, VISIT_SLOTS)
            if slot is not None:
                day, number, _half_day = slot
                who = d.class_of(self.rng, school, self.dir.teachers(school)[0])
                self.writer.add_single(teacher, who, day, dict(d.periods(school))[number], title)

    def call_off_exam_days(self) -> None:
        """The lead schools' own lab and music lessons did not take place during the mid-term exams."""
        for booking in self.writer.bookings:
            local_day = booking.starts_at.astimezone(self.writer.zone).date()
            if (local_day in EXAM_DAYS and booking.school.is_lead and booking.series is not None
                    and booking.resource.category in (Category.LAB, Category.MUSIC_ROOM)
                    and booking.status == BookingStatus.CONFIRMED):
                apply_outcome(booking, Outcome(BookingStatus.CANCELLED, reason=EXAM_REASON),
                              booking.starts_at - timedelta(days=6))
