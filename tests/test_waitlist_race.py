"""The waitlist under concurrency, on SQLite and PostgreSQL: two slots freeing at once, teachers joining
while the time frees, leaving while it frees, an offer accepted twice at once. Each side is held at a
barrier just before it takes the resource's lock (or for a moment, when the database makes it wait), so
the two really interleave; whatever the order, no slot goes to two people and nobody is skipped."""
from __future__ import annotations

import threading
from typing import Callable

import pytest

from booking.accounts.models import Role, User
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import cancel_booking, create_booking
from booking.extensions import db
from booking.resources.models import Category, Resource, ResourceKind
from booking.validation import ValidationFailed
from booking.waitlist import line
from booking.waitlist import services as waitlist
from booking.waitlist.models import EntryStatus, WaitlistEntry
from tests import factories
from tests.booking_support import freeze, single
from tests.race_support import in_threads


def run_together(app, actions: list[Callable[[], object]], hold: float = 0.5) -> list[str]:
    """Each action in its own thread and unit of work, held at a barrier before the lock; "ok" or the error's name."""
    barrier = threading.Barrier(len(actions))
    real_lock = line.lock_line

    def held_lock(resource):
        try:
            barrier.wait(timeout=hold)
        except threading.BrokenBarrierError:
            pass  # the other side is held by the database: go on alone
        real_lock(resource)

    outcomes = [""] * len(actions)

    def run(index: int) -> None:
        with app.app_context():
            try:
                actions[index]()
                db.session.commit()
                outcomes[index] = "ok"
            except (BookingRefused, ValidationFailed) as error:
                db.session.rollback()
                outcomes[index] = type(error).__name__
            finally:
                db.session.remove()

    line.lock_line = held_lock
    try:
        in_threads(run, len(actions))
    finally:
        line.lock_line = real_lock
    db.session.expire_all()
    return outcomes


def cancel(booking_id: int) -> Callable[[], object]:
    def action():
        booking = db.session.get(Booking, booking_id)
        return cancel_booking(booking.booked_by, booking)
    return action


def join(user_id: int, resource_id: int, **kw) -> Callable[[], object]:
    def action():
        user = db.session.get(User, user_id)
        return waitlist.join_waitlist(user, single(db.session.get(Resource, resource_id), **kw))
    return action


def _join_now(resource, **kw) -> WaitlistEntry:
    entry = waitlist.join_waitlist(factories.user(), single(resource, **kw))
    db.session.commit()
    return entry


def _statuses(entries) -> list[str]:
    return [db.session.get(WaitlistEntry, e.id).status.value for e in entries]


def _confirmed(resource_id: int) -> list[Booking]:
    return db.session.query(Booking).filter_by(resource_id=resource_id, status=BookingStatus.CONFIRMED).all()


@pytest.fixture
def kits(app):
    """Two sets of lab kits, both lent for 第3节 on Thursday 3 September."""
    freeze()
    kit = factories.resource(name="显微镜", kind=ResourceKind.EQUIPMENT, category=Category.EQUIPMENT_KIT, stock=2,
                             capacity=None)
    lent = [create_booking(factories.user(), single(kit)).bookings[0] for _ in range(2)]
    db.session.commit()
    return kit, lent


def test_two_slots_freeing_at_once_go_to_the_first_two_in_line(app, kits):
    kit, lent = kits
    line = [_join_now(kit) for _ in range(3)]
    outcomes = run_together(app, [cancel(lent[0].id), cancel(lent[1].id)])
    assert outcomes == ["ok", "ok"]
    assert _statuses(line) == ["booked", "booked", "waiting"]
    confirmed = _confirmed(kit.id)
    assert sorted(b.booked_by_id for b in confirmed) == sorted(e.user_id for e in line[:2])


@pytest.fixture
def lab(app):
    freeze()
    lab = factories.resource(name="物理实验室")
    held = create_booking(factories.user(), single(lab)).bookings[0]
    db.session.commit()
    return lab, held


def test_two_teachers_joining_at_once_both_get_a_place_in_arrival_order(app, lab):
    room, held = lab
    first, second = factories.user().id, factories.user().id
    assert run_together(app, [join(first, room.id), join(second, room.id)]) == ["ok", "ok"]
    entries = db.session.query(WaitlistEntry).order_by(WaitlistEntry.id).all()
    assert len(entries) == 2 and {e.user_id for e in entries} == {first, second}
    assert [waitlist.position(e) for e in entries] == [1, 2]
    cancel_booking(held.booked_by, db.session.get(Booking, held.id))
    db.session.commit()
    assert _statuses(entries) == ["booked", "waiting"]


def test_joining_while_the_time_frees_never_leaves_the_teacher_waiting_for_a_free_time(app, lab):
    room, held = lab
    teacher = factories.user().id
    outcomes = run_together(app, [join(teacher, room.id), cancel(held.id)])
    entries = db.session.query(WaitlistEntry).all()
    if outcomes[0] == "ok":  # joined first: the cancellation served them
        assert [e.status for e in entries] == [EntryStatus.BOOKED]
        assert [b.booked_by_id for b in _confirmed(room.id)] == [teacher]
    else:  # the cancellation first: the time was free, so joining was refused ("book it")
        assert outcomes[0] == "ValidationFailed" and entries == [] and _confirmed(room.id) == []
    assert outcomes[1] == "ok"


def test_leaving_while_the_time_frees_skips_nobody(app, lab):
    room, held = lab
    first, second = _join_now(room), _join_now(room)

    def leave():
        return waitlist.leave_waitlist(db.session.get(User, first.user_id), db.session.get(WaitlistEntry, first.id))

    outcomes = run_together(app, [leave, cancel(held.id)])
    assert outcomes[1] == "ok"
    statuses = _statuses([first, second])
    if outcomes[0] == "ok":
        assert statuses == ["left", "booked"]
    else:  # served first: the place is no longer active
        assert outcomes[0] == "ValidationFailed" and statuses == ["booked", "waiting"]
    assert len(_confirmed(room.id)) == 1


def test_an_offer_accepted_twice_at_once_books_once(app):
    freeze()
    gym = factories.resource(name="体育馆", approval_required=True, category=Category.GYM)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    held = create_booking(admin, single(gym)).bookings[0]
    db.session.commit()
    entry = _join_now(gym)
    cancel_booking(admin, held)
    db.session.commit()
    assert _statuses([entry]) == ["offered"]

    def accept():
        return waitlist.accept_offer(db.session.get(User, entry.user_id), db.session.get(WaitlistEntry, entry.id))

    assert sorted(run_together(app, [accept, accept])) == ["ValidationFailed", "ok"]
    assert db.session.query(Booking).filter_by(booked_by_id=entry.user_id).count() == 1
    assert _statuses([entry]) == ["booked"]


def test_a_direct_booking_racing_the_offer_never_overlaps_it(app):
    freeze()
    gym = factories.resource(name="体育馆", approval_required=True, category=Category.GYM)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    other_admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    held = create_booking(admin, single(gym)).bookings[0]
    db.session.commit()
    entry = _join_now(gym)

    def book_directly():
        return create_booking(db.session.get(User, other_admin.id), single(db.session.get(Resource, gym.id)))

    outcomes = run_together(app, [cancel(held.id), book_directly])
    # Before the cancellation commits the time is held by the booking; from its commit on, by the offer made
    # in the same transaction: the direct booking never gets it, whichever goes first.
    assert outcomes == ["ok", "BookingRefused"]
    assert db.session.query(Booking).filter_by(booked_by_id=other_admin.id).count() == 0
    assert _statuses([entry]) == ["offered"]


def test_two_rooms_times_freeing_at_once_each_go_to_their_first_in_line(app):
    freeze()
    room = factories.resource(name="物理实验室")
    early = create_booking(factories.user(), single(room)).bookings[0]
    late = create_booking(factories.user(), single(room, day=4)).bookings[0]
    db.session.commit()
    line = [_join_now(room), _join_now(room, day=4), _join_now(room), _join_now(room, day=4)]
    assert run_together(app, [cancel(early.id), cancel(late.id)]) == ["ok", "ok"]
    assert _statuses(line) == ["booked", "booked", "waiting", "waiting"]
