"""Every state change of a booking writes one audit entry naming the booking and who changed it (None: the
system): create, approve and the requests it displaces, reject, cancel, change, outcome, check-in, a closure's
cancellations, release of a no-show and expiry of an unanswered request."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from booking import clock
from booking.accounts.models import Role
from booking.audit.models import AuditBooking, AuditEntry
from booking.bookings import checkin, closures
from booking.bookings.approvals import approve_booking, expire_stale_requests, reject_booking
from booking.bookings.outcomes import record_outcome
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.schools.calendar import ClosureInput
from tests import factories
from tests.booking_support import freeze, local, single


def history(booking) -> list[tuple[str, int | None]]:
    """(action, actor id) of the entries naming ``booking``, oldest first."""
    query = (select(AuditEntry.action, AuditEntry.actor_id).join(AuditBooking, AuditBooking.entry_id == AuditEntry.id)
             .where(AuditBooking.booking_id == booking.id).order_by(AuditEntry.id))
    return [tuple(row) for row in db.session.execute(query)]


def test_decisions_displacements_and_expiry_name_each_booking(app):
    freeze()
    gym = factories.resource(approval_required=True)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    first, second, third, late = (create_booking(factories.user(), single(gym, day=day)).bookings[0]
                                  for day in (3, 3, 4, 7))
    approve_booking(admin, first)
    reject_booking(admin, third, "已满")
    assert history(first) == [("booking.create", first.booked_by_id), ("booking.approve", admin.id)]
    assert history(second) == [("booking.create", second.booked_by_id), ("booking.displace", admin.id)]
    assert history(third) == [("booking.create", third.booked_by_id), ("booking.reject", admin.id)]
    clock.freeze(late.starts_at + timedelta(minutes=1))
    expire_stale_requests(clock.utcnow())
    assert history(late)[-1] == ("booking.expire", None)


def test_outcomes_check_ins_releases_and_closures_name_the_booking(app):
    freeze()
    owner = factories.school()
    lab = factories.resource(owner_school=owner, check_in=True)
    teacher = factories.user()
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=owner)
    checked, noshow, recorded = (create_booking(teacher, single(lab, day=3, start=local(9, 3, hour),
                                                               end=local(9, 3, hour, 40))).bookings[0]
                                 for hour in (8, 10, 14))
    closed = create_booking(teacher, single(lab, day=4)).bookings[0]
    coordinator = factories.user(role=Role.COORDINATOR)
    closures.create_closure(ClosureInput("2026-09-04", "2026-09-04", "运动会", str(owner.id)), coordinator, "cancel")
    assert history(closed)[-1] == ("booking.cancel", coordinator.id)
    clock.freeze(checked.starts_at)
    checkin.check_in(checked, teacher)
    assert history(checked)[-1] == ("booking.check_in", teacher.id)
    clock.freeze(noshow.ends_at + timedelta(minutes=1))
    assert checkin.release(noshow, clock.utcnow())
    assert history(noshow)[-1] == ("booking.release", None)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "booking.release")).one()
    assert (entry.school_id, entry.resource_id) == (noshow.school_id, lab.id)
    clock.freeze(recorded.ends_at)
    record_outcome(recorded, "used", "", teacher)
    record_outcome(recorded, "no_show", "没来", admin)
    assert history(recorded)[-2:] == [("booking.outcome", teacher.id), ("booking.outcome.correct", admin.id)]
