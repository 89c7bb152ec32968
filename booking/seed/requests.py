"""The demo's single bookings and their histories: equipment loans, trips to the practice bases,
district training sessions and tournaments, requests waiting for approval, some called off.
"""
from __future__ import annotations

import random
from datetime import date, time, timedelta

from booking.bookings.models import BookingStatus
from booking.resources.models import Category, Resource, Sharing
from booking.schools.models import School
from booking.seed import directory as d
from booking.seed.booking_rows import Outcome, RowWriter, Who
from booking.seed.slots import SlotPlan, pick_dated

KIT_USES = {"科学实验器材箱": "科学课分组实验", "便携式音响": "校园活动扩音", "体育器材包": "体育课",
            "显微镜套装": "科学课：显微镜观察", "便携式投影仪": "同步课堂", "美术写生画板套装": "美术写生课"}
LOANS_PER_KIT = 18
CANCEL_EVERY = 8  # about one booking in eight is called off
CANCEL_REASONS = ("天气原因，活动取消", "学生参加镇运动会", "任课教师外出培训", "与学校活动时间冲突")
# Trips are not lessons: clock times (period "0") for a morning, an afternoon or a whole day out.
TRIP_SPANS = [(0, (time(8, 30), time(11, 30))), (0, (time(13, 30), time(16, 30))), (0, (time(8, 30), time(15, 30)))]
TRIP_TITLES = ("农业实践：秋收体验", "劳动教育：蔬菜种植", "研学实践活动", "综合实践：认识农作物")
PAST_TRIPS, FUTURE_APPROVED_TRIPS, PENDING_TRIPS = 5, 1, 3
PENDING_COMPUTER_REQUESTS = 2
TRAININGS = ("学区教研培训：农村小学科学实验教学", "学区教研培训：音乐课堂常规", "学区教研培训：体育大课间设计")
TOURNAMENT = "学区小学生篮球联赛"
SATURDAY = 5
# Requests are made at most this far ahead (the bases can be booked 60 days ahead).
REQUEST_HORIZON_DAYS = 50


class SingleBookings:
    def __init__(self, directory: d.Directory, plan: SlotPlan, writer: RowWriter, rng: random.Random):
        self.dir, self.plan, self.writer, self.rng = directory, plan, writer, rng
        self.today = writer.now.astimezone(writer.zone).date()

    def _class_at(self, school: School) -> Who:
        """A class of ``school`` with its first teacher booking."""
        return d.class_of(self.rng, school, self.dir.teachers(school)[0])

    def _owned(self, school: School, category: Category) -> list[Resource]:
        return [r for r in self.dir.owned_by(school) if r.category == category]

    def _maybe_cancelled(self) -> Outcome:
        if self.rng.randrange(CANCEL_EVERY) == 0:
            return Outcome(BookingStatus.CANCELLED, reason=self.rng.choice(CANCEL_REASONS))
        return Outcome()

    def loans(self) -> None:
        """Kits lent for half a day to the lead school's classes and its small schools."""
        for lead in self.dir.leads:
            borrowers = [lead, *self.dir.villages(lead)]
            for kit in self._owned(lead, Category.EQUIPMENT_KIT):
                for _ in range(LOANS_PER_KIT):
                    self._loan(kit, self.rng.choice(borrowers))

    def _loan(self, kit: Resource, school: School) -> None:
        day = self.rng.choice(self.writer.open_days(kit.owner_school, school))
        quantity = self.rng.randint(1, max(1, kit.stock // 3))
        if self.plan.stock_left(kit.id, day, kit.stock) < quantity:
            return
        self.plan.lend(kit.id, day, quantity, kit.stock)
        who = d.class_of(self.rng, school, self.rng.choice(self.dir.teachers(school)))
        span = d.half_day(school, afternoon=self.rng.random() < 0.5)
        self.writer.add_single(kit, who, day, span, KIT_USES[kit.name], quantity=quantity,
                               outcome=self._maybe_cancelled())

    def _split_days(self, *schools: School) -> tuple[list[date], list[date]]:
        """Open days before today, and open days from tomorrow within the request horizon."""
        days = self.writer.open_days(*schools)
        horizon = self.today + timedelta(days=REQUEST_HORIZON_DAYS)
        return [x for x in days if x < self.today], [x for x in days if self.today < x <= horizon]

    def _request(self, resource: Resource, who: Who, days: list[date], spans, title: str, outcome: Outcome) -> None:
        slot = pick_dated(self.rng, self.plan, resource.id, days, spans)
        if slot is not None:
            day, _number, span = slot
            self.writer.add_single(resource, who, day, span, title, outcome=outcome, days_before=10)

    def base_trips(self) -> None:
        """Practice-base trips need approval: approved ones, one refused, one never answered, some waiting."""
        for lead in self.dir.leads:
            admin = self.dir.admin(lead)
            for base in self._owned(lead, Category.OFF_CAMPUS_BASE):
                visitors = [lead, *self.dir.villages(lead)]
                past, future = self._split_days(lead)
                history = [Outcome(BookingStatus.CONFIRMED, admin)] * PAST_TRIPS + [
                    Outcome(BookingStatus.REJECTED, admin, "该日基地大棚改造，暂停接待"),
                    Outcome(BookingStatus.EXPIRED)]
                coming = [Outcome(BookingStatus.CONFIRMED, admin)] * FUTURE_APPROVED_TRIPS + [
                    Outcome(BookingStatus.PENDING)] * PENDING_TRIPS
                for days, outcomes in ((past, history), (future, coming)):
                    for outcome in outcomes:
                        who = self._class_at(self.rng.choice(visitors))
                        self._request(base, who, days, TRIP_SPANS, self.rng.choice(TRIP_TITLES), outcome)

    def computer_requests(self) -> None:
        """Small schools asking for the lead school's computer room: a few wait for the admin."""
        for lead in self.dir.leads:
            for room in self._owned(lead, Category.COMPUTER_ROOM):
                for school in self.rng.sample(self.dir.villages(lead), PENDING_COMPUTER_REQUESTS):
                    _past, future = self._split_days(lead, school)
                    self._request(room, self._class_at(school), future, d.afternoon_periods(school),
                                  "信息科技课：编程启蒙", Outcome(BookingStatus.PENDING))

    def trainings(self) -> None:
        """The lead school's training sessions for its area's teachers (mandate: two a term)."""
        for lead in self.dir.leads:
            room = next(r for r in self._owned(lead, Category.MULTIMEDIA_ROOM) if r.sharing == Sharing.DISTRICT)
            wednesdays = [x for x in self.writer.open_days(lead) if x.weekday() == 2]
            afternoon = d.afternoon_periods(lead)
            span = [(afternoon[1][0], (afternoon[1][1][0], afternoon[-1][1][1]))]
            who = Who(booker=self.dir.admin(lead), school=lead, class_name="学区教师")
            for title in TRAININGS:
                self._request(room, who, wednesdays, span, title, Outcome())

    def tournament(self) -> None:
        """The district basketball tournament, Saturday mornings in the first lead school's gym."""
        lead = self.dir.leads[0]
        gym = self._owned(lead, Category.GYM)[0]
        saturdays = [x + timedelta(days=SATURDAY) for x in self.writer.term_days if x.weekday() == 0]
        saturdays = [x for x in saturdays if not self.writer.is_closed(x, lead) and x <= self.writer.term.end_date]
        who = Who(booker=self.dir.coordinator(), school=lead, class_name="各校代表队")
        for _ in range(3):
            self._request(gym, who, saturdays, [(0, (time(8, 30), time(11, 30)))], TOURNAMENT, Outcome())

    def shared_rooms(self) -> None:
        """Neighbouring small schools borrow each other's multimedia classrooms, and the lead's gym."""
        for lead in self.dir.leads:
            villages = self.dir.villages(lead)
            for owner in villages:
                for room in self._owned(owner, Category.MULTIMEDIA_ROOM):
                    guest = self.rng.choice([v for v in villages if v is not owner])
                    days = self.writer.open_days(owner, guest)
                    for _ in range(2):
                        self._request(room, self._class_at(guest), days, d.morning_periods(guest),
                                      "同步课堂：语文", self._maybe_cancelled())
            gym = self._owned(lead, Category.GYM)[0]
            for guest in self.rng.sample(villages, 4):
                self._request(gym, self._class_at(guest), self.writer.open_days(lead, guest),
                              d.afternoon_periods(guest), "体育活动（借用场地）", self._maybe_cancelled())

    def all(self) -> None:
        for make in (self.trainings, self.tournament, self.base_trips, self.computer_requests, self.shared_rooms,
                     self.loans):
            make()
