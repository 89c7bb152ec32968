"""A small district with a known day of use, for the digest tests (no tests in here).

Digest date D = Wednesday 2026-11-18, cut at 21:00 district time. Names, codes and times are
fixed, so the rendered digests can be compared with the snapshots in tests/snapshots/digests/.

- yesterday (Tue 17 Nov): 北村小学's class in 中心小学's lab 08:50–09:30 (used) and 10:40–11:20
  (no-show); 中心小学's own class in its gym 14:00–15:30.
- tomorrow (Thu 19 Nov): the village teacher's lab booking 08:50–09:30, and a gym request
  14:00–14:40 made on Sunday 15 Nov, still waiting (over 24 hours).
- a booking of Fri 20 Nov, cancelled on D at 10:00 with a reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from booking import clock
from booking.accounts.models import Role
from booking.bookings.models import Booking, BookingOutcome, BookingStatus
from booking.digests.content import DigestWindow, changes_since
from booking.digests.figures import DigestRun
from booking.digests.models import DigestKind
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Category
from tests import factories
from tests.booking_support import local

DIGEST_DATE = date(2026, 11, 18)
CUT = datetime(2026, 11, 18, 13, 0, tzinfo=timezone.utc)  # 21:00 in Asia/Shanghai


@dataclass
class Scenario:
    lead: object
    village: object
    lab: object
    gym: object
    coordinator: object
    admin: object
    teacher: object
    lead_teacher: object
    request: Booking
    cancelled: Booking


def add(resource, school, start, end, by, *, status=BookingStatus.CONFIRMED, outcome=None, created=None,
        title="科学实验课", class_name="五年级1班") -> Booking:
    booking = Booking(resource_id=resource.id, school_id=school.id, booked_by_id=by.id, starts_at=start, ends_at=end,
                      status=status, blocks=False, quantity=1, title=title, class_name=class_name, students=30,
                      outcome=outcome, created_at=created or start - timedelta(days=7),
                      updated_at=created or start - timedelta(days=7))
    db.session.add(booking)
    db.session.commit()
    return booking


@factories.batched
def build_scenario(locale: str = "zh_CN") -> Scenario:
    factories.district(name="新天学区")
    lead = factories.school(code="ZX01", name="中心小学", enrollment=400, is_lead=True)
    village = factories.school(code="BC01", name="北村小学", enrollment=100, is_weak=True)
    factories.term(name="2026—2027学年第一学期", start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    lab = factories.resource(name="科学实验室", owner_school=lead)
    gym = factories.resource(name="篮球馆", owner_school=lead, category=Category.GYM, subject="",
                             approval_required=True)
    coordinator = factories.user(role=Role.COORDINATOR, email="coordinator@example.cn", display_name="周建国",
                                 locale=locale)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lead, email="admin@example.cn", display_name="韩志刚",
                           locale=locale)
    teacher = factories.user(role=Role.TEACHER, school=village, email="teacher@example.cn", display_name="李春梅",
                             locale=locale)
    lead_teacher = factories.user(role=Role.TEACHER, school=lead, email="lead@example.cn", display_name="王强",
                                  locale=locale)
    add(lab, village, local(11, 17, 8, 50), local(11, 17, 9, 30), teacher, outcome=BookingOutcome.USED)
    add(lab, village, local(11, 17, 10, 40), local(11, 17, 11, 20), teacher, outcome=BookingOutcome.NO_SHOW)
    add(gym, lead, local(11, 17, 14), local(11, 17, 15, 30), lead_teacher, title="体育课", class_name="三年级2班")
    add(lab, village, local(11, 19, 8, 50), local(11, 19, 9, 30), teacher)
    request = add(gym, village, local(11, 19, 14), local(11, 19, 14, 40), teacher, status=BookingStatus.PENDING,
                  created=local(11, 15, 16), title="篮球训练", class_name="六年级1班")
    cancelled = add(lab, village, local(11, 20, 9, 50), local(11, 20, 10, 30), teacher)
    cancelled.status, cancelled.cancel_reason, cancelled.sequence = BookingStatus.CANCELLED, "学生参加镇运动会", 1
    cancelled.updated_at = local(11, 18, 10)
    db.session.commit()
    return Scenario(lead, village, lab, gym, coordinator, admin, teacher, lead_teacher, request, cancelled)


def window(kind: DigestKind = DigestKind.DAILY, digest_date: date = DIGEST_DATE, cut: datetime = CUT,
           previous_cut: datetime | None = None) -> DigestWindow:
    return DigestWindow(digest_date, kind, cut, changes_since(previous_cut, cut, kind))


def digest_run(cut: datetime = CUT) -> DigestRun:
    return DigestRun(cut=cut, zone=district_zone())


def at_digest_time() -> None:
    clock.freeze(CUT + timedelta(seconds=5))
