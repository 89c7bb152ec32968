"""Resources that need approval: requests, approving, rejecting, displacing, expiring."""
from datetime import date

import pytest

from booking import clock
from booking.accounts.models import Role
from booking.bookings.approvals import approval_queue, approve_booking, expire_stale_requests, reject_booking
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import BookingStatus
from booking.bookings.services import create_booking
from booking.validation import ValidationFailed
from tests import factories
from tests.booking_support import freeze, local, single


@pytest.fixture
def gym(app):
    freeze()
    return factories.resource(name="体育馆", approval_required=True)


@pytest.fixture
def approver(gym):
    return factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)


def request(gym, **kw):
    return create_booking(factories.user(), single(gym, **kw)).bookings[0]


def test_requests_wait_as_pending_and_do_not_block_each_other(gym):
    first, second = request(gym), request(gym)
    assert first.status == second.status == BookingStatus.PENDING
    assert not first.blocks and not second.blocks


def test_a_pending_request_blocks_an_ordinary_booking(gym, approver):
    request(gym)
    with pytest.raises(BookingRefused) as refused:
        create_booking(approver, single(gym))
    assert refused.value.refusals[0].kind == "resource_overlap"
    assert "等待审批" in str(refused.value.refusals[0].message)  # zh_CN: the district default


def test_approving_confirms_and_rejects_the_requests_it_displaces(gym, approver):
    first, second = request(gym), request(gym)
    elsewhere = request(gym, day=4)
    decision = approve_booking(approver, first, reason="同意")
    assert first.status == BookingStatus.CONFIRMED and first.blocks and first.decided_by_id == approver.id
    assert decision.displaced == [second] and second.status == BookingStatus.REJECTED
    assert "批准" in second.decision_reason
    assert elsewhere.status == BookingStatus.PENDING
    with pytest.raises(BookingRefused):
        request(gym)  # the slot is now taken


def test_approving_rechecks_the_rules(gym, approver):
    pending = request(gym)
    factories.closure(start_date=date(2026, 9, 3), end_date=date(2026, 9, 3), reason="停电")
    with pytest.raises(BookingRefused) as refused:
        approve_booking(approver, pending)
    assert refused.value.refusals[0].kind == "closed"
    assert pending.status == BookingStatus.PENDING


def test_only_the_owner_schools_admin_or_a_coordinator_decides(gym, approver):
    pending = request(gym)
    for outsider in (factories.user(), factories.user(role=Role.SCHOOL_ADMIN)):
        with pytest.raises(NotAllowed):
            approve_booking(outsider, pending)
    assert approve_booking(factories.user(role=Role.COORDINATOR), pending).decided == [pending]


def test_rejecting_needs_a_reason(gym, approver):
    pending = request(gym)
    with pytest.raises(ValidationFailed) as caught:
        reject_booking(approver, pending, "  ")
    assert "reason" in caught.value.errors
    reject_booking(approver, pending, "场地维修")
    assert pending.status == BookingStatus.REJECTED and pending.decision_reason == "场地维修"
    with pytest.raises(ValidationFailed):
        approve_booking(approver, pending)


def test_a_series_request_is_approved_as_a_whole(gym, approver):
    teacher = factories.user()
    rows = create_booking(teacher, single(gym, rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=4")).bookings
    approve_booking(approver, rows[0], scope="series")
    assert {r.status for r in rows} == {BookingStatus.CONFIRMED}


def test_unanswered_requests_expire_when_they_start(gym, approver):
    early, late = request(gym), request(gym, day=10)
    assert expire_stale_requests(clock.utcnow()) == 0
    clock.freeze(local(9, 3, 9, 50))
    assert approval_queue(approver) == [late]
    assert early.status == BookingStatus.EXPIRED
    with pytest.raises(ValidationFailed):
        approve_booking(approver, early)


def test_the_queue_shows_only_requests_the_approver_may_answer(gym, approver):
    pending = request(gym)
    other_gym = factories.resource(approval_required=True)
    other = request(other_gym)
    assert approval_queue(approver) == [pending]
    assert approval_queue(factories.user(role=Role.COORDINATOR)) == [pending, other]
