"""The waitlist's services: joining, who gets a freed slot, offers, lapses, leaving (booking.waitlist)."""
from datetime import date, timedelta

import pytest

from booking import clock, events
from booking.accounts.models import Role
from booking.bookings.approvals import reject_booking
from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.checkin import release_due
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import cancel_booking, create_booking
from booking.digests.jobs import WAITLIST, jobs, run_slot
from booking.extensions import db
from booking.validation import ValidationFailed
from booking.waitlist.models import EntryStatus, WaitlistEntry
from booking.waitlist.jobs import lapse_offers
from booking.waitlist.services import accept_offer, join_waitlist, leave_waitlist, my_entries, position
from tests import factories
from tests.booking_support import NOW, freeze, local, single


@pytest.fixture
def heard():
    log = []

    def offered(actor, bookings, entry, **details):
        log.append(("offered", entry.id, entry.offer_expires_at))

    def booked(actor, bookings, entry, **details):
        log.append(("booked", entry.id, [b.id for b in bookings]))

    events.waitlist_offered.connect(offered)
    events.waitlist_booked.connect(booked)
    yield log
    events.waitlist_offered.disconnect(offered)
    events.waitlist_booked.disconnect(booked)


@pytest.fixture
def lab(app):
    freeze()
    return factories.resource(name="物理实验室")


@pytest.fixture
def held(lab):
    """The lab's 第3节 on Thursday 3 September, booked by someone else."""
    booking = create_booking(factories.user(), single(lab)).bookings[0]
    db.session.commit()
    return booking


def _join(resource, user=None, **kw):
    user = user or factories.user()
    entry = join_waitlist(user, single(resource, **kw))
    db.session.commit()
    return entry


def _status(entry) -> EntryStatus:
    db.session.expire_all()
    return db.session.get(WaitlistEntry, entry.id).status


def test_joining_a_held_time_takes_a_place_in_line(lab, held):
    first, second = _join(lab), _join(lab)
    assert (first.status, second.status) == (EntryStatus.WAITING, EntryStatus.WAITING)
    assert (first.starts_at, first.ends_at) == (held.starts_at, held.ends_at)
    assert (position(first), position(second)) == (1, 2)
    assert my_entries(first.user) == [first]


def test_a_free_time_is_booked_not_waited_for(lab):
    with pytest.raises(ValidationFailed) as failed:
        join_waitlist(factories.user(), single(lab))
    assert "start" in failed.value.errors


def test_waiting_once_per_time(lab, held):
    teacher = factories.user()
    _join(lab, teacher)
    with pytest.raises(ValidationFailed):
        join_waitlist(teacher, single(lab))


def test_a_time_refused_for_other_reasons_cannot_be_waited_for(lab, held):
    with pytest.raises(BookingRefused) as refused:
        join_waitlist(factories.user(), single(lab, students=80))  # the lab seats 50
    assert [r.kind.value for r in refused.value.refusals] == ["capacity"]
    with pytest.raises(ValidationFailed):
        join_waitlist(factories.user(), single(lab, rrule="FREQ=WEEKLY;COUNT=2"))
    assert db.session.query(WaitlistEntry).count() == 0


def test_a_cancellation_books_the_first_in_line_at_once(lab, held, heard):
    first, second = _join(lab), _join(lab)
    cancel_booking(held.booked_by, held, reason="改期")
    db.session.commit()
    assert (_status(first), _status(second)) == (EntryStatus.BOOKED, EntryStatus.WAITING)
    entry = db.session.get(WaitlistEntry, first.id)
    booking = entry.booking
    assert (booking.status, booking.booked_by_id, booking.starts_at) == (BookingStatus.CONFIRMED, first.user_id,
                                                                          held.starts_at)
    assert (booking.title, booking.class_name, booking.students) == ("科学实验", "三年级2班", 30)
    assert heard == [("booked", first.id, [booking.id])]
    assert position(db.session.get(WaitlistEntry, second.id)) == 1


@pytest.mark.parametrize("weak_first", [True, False])
def test_weak_schools_first_where_the_resource_says_so(lab, held, weak_first):
    lab.waitlist_weak_first = weak_first
    db.session.commit()
    strong = _join(lab)
    weak = _join(lab, factories.user(school=factories.school(is_weak=True)))
    cancel_booking(held.booked_by, held)
    db.session.commit()
    winner, other = (weak, strong) if weak_first else (strong, weak)
    assert (_status(winner), _status(other)) == (EntryStatus.BOOKED, EntryStatus.WAITING)


def test_a_move_frees_the_old_time_for_the_line(lab, held):
    entry = _join(lab)
    change_booking(held.booked_by, held, BookingChanges(day=date(2026, 9, 4)))
    db.session.commit()
    assert _status(entry) == EntryStatus.BOOKED


@pytest.fixture
def gym(app):
    """An approval-required gym, its 第3节 booked (confirmed) by one of its own admins."""
    freeze()
    gym = factories.resource(name="体育馆", approval_required=True, category="gym")
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    create_booking(admin, single(gym))
    db.session.commit()
    return gym


def _gym_booking(gym) -> Booking:
    return db.session.query(Booking).filter_by(resource_id=gym.id, status=BookingStatus.CONFIRMED).one()


def test_a_resource_needing_approval_offers_and_accepting_sends_the_request(gym, heard, app):
    first, second = _join(gym), _join(gym)
    held = _gym_booking(gym)
    cancel_booking(held.booked_by, held)
    db.session.commit()
    entry = db.session.get(WaitlistEntry, first.id)
    assert (entry.status, _status(second)) == (EntryStatus.OFFERED, EntryStatus.WAITING)
    assert entry.offer_expires_at == NOW + timedelta(minutes=app.config["WAITLIST_OFFER_MINUTES"])
    assert heard == [("offered", first.id, entry.offer_expires_at)]
    created = accept_offer(entry.user, entry)
    db.session.commit()
    assert created.bookings[0].status == BookingStatus.PENDING and _status(first) == EntryStatus.BOOKED
    assert heard[-1] == ("booked", first.id, [created.bookings[0].id])


def test_a_lapsed_offer_passes_to_the_next_in_line(gym):
    first, second, third = _join(gym), _join(gym), _join(gym)
    held = _gym_booking(gym)
    cancel_booking(held.booked_by, held)
    db.session.commit()
    assert lapse_offers(NOW + timedelta(minutes=29)) == (0, 0)
    assert lapse_offers(NOW + timedelta(minutes=30)) == (1, 0)
    db.session.commit()
    assert [_status(e) for e in (first, second, third)] == [EntryStatus.LAPSED, EntryStatus.OFFERED,
                                                            EntryStatus.WAITING]
    with pytest.raises(ValidationFailed):
        accept_offer(first.user, db.session.get(WaitlistEntry, first.id))


def test_leaving_with_an_offer_passes_it_on(gym):
    first, second = _join(gym), _join(gym)
    held = _gym_booking(gym)
    cancel_booking(held.booked_by, held)
    db.session.commit()
    leave_waitlist(first.user, db.session.get(WaitlistEntry, first.id))
    db.session.commit()
    assert (_status(first), _status(second)) == (EntryStatus.LEFT, EntryStatus.OFFERED)
    with pytest.raises(ValidationFailed):
        leave_waitlist(first.user, db.session.get(WaitlistEntry, first.id))


def test_a_rejection_frees_the_time(gym):
    """A request rejected frees the time it asked for: the line behind the confirmed booking keeps waiting, but
    a wish for a time only the request held (e.g. one of its admins' own) is served."""
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    request = create_booking(factories.user(), single(gym, day=4)).bookings[0]
    other_admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    entry = _join(gym, other_admin, day=4)  # an admin's booking would be confirmed: the pending request holds it
    reject_booking(admin, request, "已有安排")
    db.session.commit()
    assert _status(entry) == EntryStatus.BOOKED


def test_only_the_freed_part_of_a_wish_is_offered(lab, held):
    later = create_booking(factories.user(), single(lab, start=local(9, 3, 10, 40), end=local(9, 3, 11, 20)))
    db.session.commit()
    entry = _join(lab, start=local(9, 3, 9, 50), end=local(9, 3, 11, 20))  # 第3–4节: both held
    cancel_booking(later.bookings[0].booked_by, later.bookings[0])
    db.session.commit()
    entry = db.session.get(WaitlistEntry, entry.id)
    assert entry.status == EntryStatus.OFFERED
    assert (entry.offer_starts_at, entry.offer_ends_at) == (local(9, 3, 10, 40), local(9, 3, 11, 20))
    created = accept_offer(entry.user, entry)
    assert (created.bookings[0].starts_at, created.bookings[0].status) == (local(9, 3, 10, 40), BookingStatus.CONFIRMED)


def test_an_offer_holds_its_time_against_the_rest_of_the_line(lab, held):
    later = create_booking(factories.user(), single(lab, start=local(9, 3, 10, 40), end=local(9, 3, 11, 20)))
    db.session.commit()
    wide = _join(lab, start=local(9, 3, 9, 50), end=local(9, 3, 11, 20))
    narrow = _join(lab, start=local(9, 3, 10, 40), end=local(9, 3, 11, 20))
    cancel_booking(later.bookings[0].booked_by, later.bookings[0])
    db.session.commit()
    assert (_status(wide), _status(narrow)) == (EntryStatus.OFFERED, EntryStatus.WAITING)


def test_entries_expire_when_the_start_passes(lab, held):
    entry = _join(lab)
    assert lapse_offers(held.starts_at) == (0, 1)
    db.session.commit()
    assert _status(entry) == EntryStatus.EXPIRED and my_entries(entry.user) == []


def test_the_scheduler_job_runs_each_minute_once(gym):
    first, second = _join(gym), _join(gym)
    held = _gym_booking(gym)
    cancel_booking(held.booked_by, held)
    db.session.commit()
    slot = NOW + timedelta(minutes=31)
    clock.freeze(slot)
    ran = run_slot(jobs()[WAITLIST], slot, "scheduler-a")
    again = run_slot(jobs()[WAITLIST], slot, "scheduler-b")
    assert ran.ran and not again.ran
    assert "1 waitlist offers lapsed" in ran.summary
    assert [_status(e) for e in (first, second)] == [EntryStatus.LAPSED, EntryStatus.OFFERED]


def test_the_sweep_serves_a_time_that_freed_without_an_announcement(lab, held):
    entry = _join(lab)
    db.session.execute(db.update(Booking).where(Booking.id == held.id).values(
        status=BookingStatus.CANCELLED, blocks=False, sequence=Booking.sequence + 1))
    db.session.commit()
    slot = NOW.replace(second=0) + timedelta(minutes=1)
    clock.freeze(slot)
    assert "1 entries served" in run_slot(jobs()[WAITLIST], slot, "scheduler").summary
    assert _status(entry) == EntryStatus.BOOKED


def test_an_open_offer_holds_its_time_against_direct_bookings(gym):
    entry = _join(gym)
    held = _gym_booking(gym)
    cancel_booking(held.booked_by, held)
    db.session.commit()
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    for booker in (admin, factories.user()):  # neither a confirmed booking nor a request gets past it
        with pytest.raises(BookingRefused) as refused:
            create_booking(booker, single(gym))
        assert [r.kind.value for r in refused.value.refusals] == ["resource_overlap"]
        assert refused.value.refusals[0].booking_id is None
        assert "已被排队等候的老师（为其保留到 07:30）预约" in str(refused.value.refusals[0].message)
    created = accept_offer(entry.user, db.session.get(WaitlistEntry, entry.id))
    assert created.bookings[0].status == BookingStatus.PENDING


def test_a_lapsed_offer_no_longer_holds(gym):
    _join(gym)
    held = _gym_booking(gym)
    cancel_booking(held.booked_by, held)
    db.session.commit()
    clock.freeze(NOW + timedelta(minutes=30))
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    assert create_booking(admin, single(gym)).bookings[0].status == BookingStatus.CONFIRMED


def test_a_release_as_no_show_frees_the_rest_of_the_morning(lab):
    morning = create_booking(factories.user(), single(lab, start=local(9, 3, 8), end=local(9, 3, 12))).bookings[0]
    db.session.commit()
    entry = _join(lab, start=local(9, 3, 10, 40), end=local(9, 3, 11, 20))
    late = local(9, 3, 8, 20)
    clock.freeze(late)
    assert release_due(late) == 1
    db.session.commit()
    assert db.session.get(Booking, morning.id).status == BookingStatus.CANCELLED
    assert _status(entry) == EntryStatus.BOOKED


def test_the_sweep_takes_no_lock_while_every_wish_is_held(lab, held, monkeypatch):
    from booking.waitlist import jobs, line

    entry = _join(lab)
    locked = []
    monkeypatch.setattr(line, "lock_line", lambda resource: locked.append(resource.id))
    assert jobs.serve_waiting(NOW) == 0
    assert locked == [] and _status(entry) == EntryStatus.WAITING


def test_nobody_waits_for_their_own_booking_or_a_visiting_teacher(lab, held):
    with pytest.raises(ValidationFailed) as own:
        join_waitlist(held.booked_by, single(lab))
    assert "start" in own.value.errors
    teacher_resource = factories.resource(name="音乐走教", kind="teacher", category="visiting_teacher", subject="music")
    with pytest.raises(ValidationFailed) as visiting:
        join_waitlist(factories.user(), single(teacher_resource))
    assert "resource_id" in visiting.value.errors
    assert db.session.query(WaitlistEntry).count() == 0


def test_the_waiting_teacher_is_notified_of_the_offer_and_the_booking(gym, lab):
    from booking.notifications.models import Notification, NotificationKind

    offered = _join(gym)
    held = _gym_booking(gym)
    cancel_booking(held.booked_by, held)
    held_lab = create_booking(factories.user(), single(lab)).bookings[0]
    booked = _join(lab)
    cancel_booking(held_lab.booked_by, held_lab)
    db.session.commit()

    def kinds(user_id):
        return [n.kind for n in db.session.query(Notification).filter_by(user_id=user_id)]

    assert NotificationKind.WAITLIST_OFFERED in kinds(offered.user_id)
    assert NotificationKind.WAITLIST_BOOKED in kinds(booked.user_id)


def test_a_closure_that_cancels_the_holders_booking_offers_the_closed_time_to_nobody(lab, held):
    """Regression (a new user's walk, 2026-12-06): the waiting teacher was offered the closed day."""
    from booking.bookings.closures import create_closure
    from booking.schools.calendar import ClosureInput

    entry = _join(lab)
    day = held.starts_at.astimezone(local(9, 3, 0).tzinfo).date()
    create_closure(ClosureInput(day, day, "停电检修", school_id=lab.owner_school_id),
                   factories.user(role=Role.COORDINATOR), on_bookings="cancel")
    db.session.commit()
    assert db.session.get(Booking, held.id).status == BookingStatus.CANCELLED
    assert _status(entry) == EntryStatus.WAITING

