"""The booking services announce what happened (booking.events), after flushing, for the
notifications and the waitlist to hear; a change that is refused announces nothing."""
from datetime import date

import pytest

from booking import events
from booking.accounts.models import Role
from booking.bookings.approvals import approve_booking, reject_booking
from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.errors import BookingRefused
from booking.bookings.services import cancel_booking, create_booking
from tests import factories
from tests.booking_support import announcements, freeze, single


@pytest.fixture
def heard():
    """Every announcement, as (signal name, actor, booking ids, extra keywords)."""
    signals = (events.booking_approved, events.booking_rejected, events.booking_displaced,
               events.booking_cancelled, events.booking_changed, events.slot_freed)
    with announcements(signals, lambda name, actor, bookings, details: (name, actor, [b.id for b in bookings],
                                                                       details)) as log:
        yield log


@pytest.fixture
def gym(app):
    freeze()
    return factories.resource(name="体育馆", approval_required=True)


def test_approving_announces_the_approved_and_the_displaced(gym, heard):
    approver = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    first = create_booking(factories.user(), single(gym)).bookings[0]
    second = create_booking(factories.user(), single(gym)).bookings[0]
    approve_booking(approver, first, reason="同意")
    assert [(name, ids) for name, _actor, ids, _d in heard] == [
        ("booking-approved", [first.id]), ("booking-displaced", [second.id])]
    assert heard[0][1] is approver and heard[0][3]["reason"] == "同意"


def test_rejecting_announces_and_frees_the_slot(gym, heard):
    approver = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    pending = create_booking(factories.user(), single(gym)).bookings[0]
    reject_booking(approver, pending, "已有安排")
    names = [name for name, *_ in heard]
    assert names == ["booking-rejected", "slot-freed"]
    assert heard[1][3]["slots"] == [(gym, pending.starts_at, pending.ends_at)]


def test_cancelling_announces_with_the_reason_and_frees_the_slot(lab, teacher, heard):
    booking = create_booking(teacher, single(lab)).bookings[0]
    cancel_booking(teacher, booking, reason="改期")
    assert [(name, ids) for name, _a, ids, _d in heard] == [("booking-cancelled", [booking.id]),
                                                             ("slot-freed", [booking.id])]
    assert heard[0][3]["reason"] == "改期"


def test_a_move_frees_the_old_time(lab, teacher, heard):
    booking = create_booking(teacher, single(lab)).bookings[0]
    old = (booking.starts_at, booking.ends_at)
    change_booking(teacher, booking, BookingChanges(day=date(2026, 9, 4)))
    assert [name for name, *_ in heard] == ["booking-changed", "slot-freed"]
    assert heard[1][3]["slots"] == [(lab, *old)]


def test_a_refused_change_announces_nothing(lab, teacher, heard):
    create_booking(factories.user(), single(lab, day=4))
    booking = create_booking(teacher, single(lab)).bookings[0]
    with pytest.raises(BookingRefused):
        change_booking(teacher, booking, BookingChanges(day=date(2026, 9, 4)))
    assert heard == []
