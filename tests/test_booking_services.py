"""Booking single dates through the service layer: rules, refusals, suggestions, cancelling."""
from datetime import time

import pytest

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings.errors import BookingRefused, NotAllowed
from booking.bookings.models import Booking, BookingStatus, ResourceBlackout
from booking.bookings.planning import BookingInput, preview_booking
from booking.bookings.services import cancel_booking, create_booking, visible_booking
from booking.extensions import db
from booking.resources.models import Category, ResourceKind, Sharing
from tests import factories
from tests.booking_support import local, period3, single


def test_a_teacher_books_a_lab_for_a_class(teacher, lab):
    created = create_booking(teacher, single(lab))
    [booking] = created.bookings
    assert booking.status == BookingStatus.CONFIRMED and booking.blocks
    assert (booking.starts_at, booking.ends_at) == period3(9, 3)
    assert booking.school_id == teacher.school_id and booking.class_name == "三年级2班"
    assert db.session.query(AuditEntry).filter_by(action="booking.create").count() == 1


def test_booking_by_period_uses_the_owner_schools_bells(teacher, lab):
    created = create_booking(teacher, BookingInput(resource_id=lab.id, title="实验", day=period3(9, 3)[0].date(),
                                                   period_number=3, period_to=4))
    assert (created.bookings[0].starts_at, created.bookings[0].ends_at) == (local(9, 3, 9, 50), local(9, 3, 11, 20))


def test_a_clash_is_refused_with_who_holds_it_and_suggestions(teacher, lab):
    create_booking(teacher, single(lab))
    other_teacher = factories.user()
    other_lab = factories.resource(name="化学实验室")
    factories.travel(other_teacher.school, other_lab.owner_school, 15)
    factories.travel(other_teacher.school, lab.owner_school, 25)
    with pytest.raises(BookingRefused) as refused:
        create_booking(other_teacher, single(lab, start=local(9, 3, 10, 0), end=local(9, 3, 10, 40)))
    [refusal] = refused.value.refusals
    assert refusal.kind == "resource_overlap" and "三年级2班" in str(refusal.message)
    suggestions = refused.value.suggestions
    assert 1 <= len(suggestions) <= 5
    assert {s.resource_id for s in suggestions} == {lab.id, other_lab.id}
    assert [s for s in suggestions if not s.same_resource][0].travel_minutes == 15
    assert {s.travel_minutes for s in suggestions if s.same_resource} == {25}
    assert db.session.query(Booking).count() == 1


def test_back_to_back_bookings_do_not_clash(teacher, lab):
    create_booking(teacher, single(lab, start=local(9, 3, 8, 0), end=local(9, 3, 8, 45)))
    create_booking(teacher, single(lab, start=local(9, 3, 8, 45), end=local(9, 3, 9, 30)))
    assert db.session.query(Booking).count() == 2


def test_bad_input_names_every_field_and_saves_nothing(teacher, lab):
    cases = [
        (BookingInput(resource_id=999, title="x", start=local(9, 3, 9), end=local(9, 3, 10)), "resource_id"),
        (single(lab, end=local(9, 3, 9)), "end"),
        (single(lab, title="  "), "title"),
        (single(lab, quantity=0), "quantity"),
        (single(lab, quantity=2), "quantity"),
        (single(lab, students=-1), "students"),
        (single(lab, rrule="FREQ=WEEKLY"), "recurrence"),
        (BookingInput(resource_id=lab.id, title="x", day=period3(9, 3)[0].date(), period_number=12), "period_number"),
    ]
    for data, field in cases:
        with pytest.raises(Exception) as caught:
            create_booking(teacher, data)
        assert field in getattr(caught.value, "errors", {}), (field, caught.value)
    assert db.session.query(Booking).count() == 0


def test_capacity_hours_and_holidays_are_refused(teacher, lab):
    factories.closure(start_date=period3(10, 1)[0].date(), end_date=period3(10, 7)[0].date(), reason="国庆节")
    for data, kind in [(single(lab, students=51), "capacity"),
                       (single(lab, start=local(9, 3, 18), end=local(9, 3, 19)), "outside_hours"),
                       (single(lab, month=10, day=2), "closed")]:
        with pytest.raises(BookingRefused) as refused:
            create_booking(teacher, data)
        assert [r.kind for r in refused.value.refusals] == [kind]


def test_maintenance_blackout_closes_the_resource(teacher, lab):
    db.session.add(ResourceBlackout(resource_id=lab.id, starts_at=local(9, 3, 8), ends_at=local(9, 3, 12), reason="维修"))
    db.session.commit()
    with pytest.raises(BookingRefused) as refused:
        create_booking(teacher, single(lab))
    assert refused.value.refusals[0].kind == "closed" and "维修" in str(refusal_text(refused))


def refusal_text(refused) -> str:
    return " ".join(str(r.message) for r in refused.value.refusals)


def test_own_school_resources_are_not_shared(teacher):
    private = factories.resource(sharing=Sharing.OWN_SCHOOL)
    with pytest.raises(BookingRefused) as refused:
        create_booking(teacher, single(private))
    assert refused.value.refusals[0].kind == "not_shared"
    owner_teacher = factories.user(school=private.owner_school)
    assert create_booking(owner_teacher, single(private)).bookings


def test_a_coordinator_books_for_any_school_and_must_name_it(teacher, lab):
    coordinator = factories.user(role=Role.COORDINATOR)
    with pytest.raises(Exception) as caught:
        create_booking(coordinator, single(lab))
    assert "school_id" in caught.value.errors
    created = create_booking(coordinator, single(lab, school_id=teacher.school_id))
    assert created.bookings[0].school_id == teacher.school_id


def test_equipment_is_booked_in_quantities_up_to_stock(teacher):
    kit = factories.resource(kind=ResourceKind.EQUIPMENT, category=Category.EQUIPMENT_KIT, stock=10, capacity=None)
    create_booking(teacher, single(kit, quantity=6))
    booking = create_booking(teacher, single(kit, quantity=4)).bookings[0]
    assert not booking.blocks
    with pytest.raises(BookingRefused) as refused:
        create_booking(teacher, single(kit, quantity=1))
    assert refused.value.refusals[0].kind == "quantity"


def test_preview_writes_nothing(teacher, lab):
    preview = preview_booking(teacher, single(lab))
    assert [c.state for c in preview.checks] == ["free"]
    assert db.session.query(Booking).count() == 0


def test_cancel_keeps_the_row_with_its_reason(teacher, lab):
    booking = create_booking(teacher, single(lab)).bookings[0]
    cancel_booking(teacher, booking, reason="考试调课")
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CANCELLED and not booking.blocks and booking.cancel_reason == "考试调课"
    assert booking.sequence == 1
    assert create_booking(teacher, single(lab)).bookings  # the slot is free again


def test_someone_elses_booking_cannot_be_cancelled(teacher, lab):
    booking = create_booking(teacher, single(lab)).bookings[0]
    with pytest.raises(NotAllowed):
        cancel_booking(factories.user(), booking)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=teacher.school)
    assert cancel_booking(admin, booking)


def test_bookings_of_own_school_resources_are_hidden_from_other_schools(teacher):
    private = factories.resource(sharing=Sharing.OWN_SCHOOL)
    owner_teacher = factories.user(school=private.owner_school)
    booking = create_booking(owner_teacher, single(private)).bookings[0]
    assert visible_booking(teacher, booking.id) is None
    assert visible_booking(owner_teacher, booking.id) is booking


def test_opening_hours_are_wall_clock_of_the_owner_school(teacher):
    evening = factories.resource(hours=False)
    from booking.resources.models import OpeningHours
    db.session.add(OpeningHours(resource_id=evening.id, weekday=3, opens=time(18), closes=time(21)))
    db.session.commit()
    assert create_booking(teacher, single(evening, start=local(9, 3, 18), end=local(9, 3, 19))).bookings
