"""Editing a resource keeps the booking guarantees: what a change breaks is shown, then refused or cancelled.

The rules (pure, without an app), the service inside the resource's lock, the edit page's list of
bookings that would break, the API's 409, and a booking made while an edit holds the lock.
"""
from __future__ import annotations

import threading
import time as clock_time
from dataclasses import replace
from datetime import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from booking.accounts.models import Role, User
from booking.audit.models import AuditEntry
from booking.bookings import guarantee
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.rules import Existing, Interval, Kind, Request, ResourceSnapshot
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.resources import edits, services
from booking.resources.models import Category, Resource, ResourceKind, Sharing
from booking.resources.reshape import Held, bookings_broken_by
from booking.resources.rules import Window
from tests import factories
from tests.api_support import bearer
from tests.booking_support import ZONE, freeze, local, single
from tests.race_support import committed_or_refused

WEEKDAYS_8_TO_5 = tuple((day, time(8), time(17)) for day in range(5))


# --- The rules, without an app ------------------------------------------------------------------------


def shape(**changes) -> ResourceSnapshot:
    return ResourceSnapshot(**{"id": 1, "owner_school_id": 1, "opening_hours": WEEKDAYS_8_TO_5, **changes})


def held(booking_id: int, hour: int = 9, *, confirmed: bool = True, quantity: int = 1, school_id: int = 2,
         role: str = "teacher") -> Held:
    interval = Interval(local(9, 3, hour), local(9, 3, hour + 1))
    existing = Existing(booking_id, interval, confirmed, quantity, holder=f"booking {booking_id}", school_id=school_id)
    asked = Request(shape(), role, school_id, school_id, students=30, quantity=quantity, confirmed=confirmed)
    return Held(existing, asked)


def broken_ids(old, new, bookings) -> list[int]:
    return bookings_broken_by(old, new, bookings, ZONE).broken_ids


def test_lower_stock_breaks_the_later_bookings_that_no_longer_fit():
    kits = dict(quantity_based=True)
    booked = [held(1, quantity=4), held(2, quantity=3), held(3, quantity=3), held(4, hour=14, quantity=3)]
    verdict = bookings_broken_by(shape(**kits, stock=10), shape(**kits, stock=3), booked, ZONE)
    assert verdict.broken_ids == [1, 3]
    assert {r.kind for b in verdict.broken for r in b.refusals} == {Kind.QUANTITY}
    assert broken_ids(shape(**kits, stock=10), shape(**kits, stock=10), booked) == []


def test_equipment_that_becomes_a_room_keeps_the_first_of_overlapping_bookings():
    booked = [held(2), held(1), held(3, hour=11)]
    verdict = bookings_broken_by(shape(quantity_based=True, stock=5), shape(capacity=40), booked, ZONE)
    assert verdict.broken_ids == [2] and verdict.broken[0].refusals[0].kind == Kind.RESOURCE_OVERLAP
    assert verdict.broken[0].refusals[0].booking_id == 1


def test_narrower_opening_hours_break_the_bookings_outside_them():
    mornings = tuple((day, time(8), time(12)) for day in range(5))
    verdict = bookings_broken_by(shape(), shape(opening_hours=mornings), [held(1, 9), held(2, 14)], ZONE)
    assert verdict.broken_ids == [2] and verdict.broken[0].refusals[0].kind == Kind.OUTSIDE_HOURS


def test_own_school_only_breaks_other_schools_bookings_but_not_coordinators():
    booked = [held(1, school_id=2), held(2, hour=10, school_id=1), held(3, hour=11, school_id=2, role="coordinator")]
    verdict = bookings_broken_by(shape(), shape(own_school_only=True), booked, ZONE)
    assert verdict.broken_ids == [1] and verdict.broken[0].refusals[0].kind == Kind.NOT_SHARED


def test_approval_turned_off_confirms_the_requests_that_fit_and_breaks_the_rest():
    requests = [held(1, confirmed=False), held(2, confirmed=False), held(3, hour=11, confirmed=False)]
    verdict = bookings_broken_by(shape(approval_required=True), shape(), requests, ZONE)
    assert verdict.confirmed_ids == [1, 3] and verdict.broken_ids == [2]
    newly_required = bookings_broken_by(shape(), shape(approval_required=True), [held(4), held(5, 11)], ZONE)
    assert newly_required.broken_ids == [] and newly_required.confirmed_ids == []  # confirmed stay confirmed


def test_what_the_old_shape_refused_already_is_not_the_edits_doing():
    archived = held(1, school_id=2)
    moved_booker = replace(archived, request=replace(archived.request, booker_school_id=7))  # moved school since
    assert broken_ids(shape(active=False), shape(active=False, capacity=40), [moved_booker]) == []
    assert broken_ids(shape(), shape(capacity=20), [held(2)]) == [2]  # 30 students, room for 20


# --- The service ------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(app):
    freeze()
    return factories.user(role=Role.COORDINATOR)


def kit(stock: int = 10, **kw) -> Resource:
    return factories.resource(kind=ResourceKind.EQUIPMENT, category=Category.EQUIPMENT_KIT, subject="", stock=stock,
                              capacity=None, **kw)


def book(resource, **kw) -> Booking:
    booking = create_booking(factories.user(), single(resource, **kw)).bookings[0]
    db.session.commit()  # as its own request would
    return booking


def changed(resource, **changes):
    return replace(services.resource_input(resource), **changes)


def as_lab(resource):
    return changed(resource, kind="facility", category="lab", subject="physics", stock=1, capacity=40)


def reload(*rows):
    db.session.expire_all()
    return rows


def test_lowering_stock_below_what_is_booked_is_refused_then_cancels_with_the_reason(coordinator):
    kits = kit()
    first, second, third = book(kits, quantity=4), book(kits, quantity=3), book(kits, quantity=3)
    with pytest.raises(edits.BookingsBroken) as refused:
        services.update_resource(kits, changed(kits, stock=3), coordinator)
    assert refused.value.ids == [first.id, third.id]
    reload()
    assert kits.stock == 10 and {b.status for b in (first, second, third)} == {BookingStatus.CONFIRMED}
    assert db.session.query(AuditEntry).filter_by(action="resource.update").count() == 0

    saved = services.update_resource(kits, changed(kits, stock=3), coordinator, cancel_broken=True)
    assert [b.id for b in saved.cancelled] == [first.id, third.id]
    reload()
    assert kits.stock == 3 and second.status == BookingStatus.CONFIRMED
    assert first.status == third.status == BookingStatus.CANCELLED and "3" in first.cancel_reason
    assert kits.name in first.cancel_reason
    entry = db.session.query(AuditEntry).filter_by(action="resource.update").one()
    assert entry.details["cancelled_ids"] == [first.id, third.id]
    cancels = db.session.query(AuditEntry).filter_by(action="booking.cancel").all()
    assert sorted(int(e.entity_id) for e in cancels) == [first.id, third.id]


def test_cancelling_only_what_was_shown(coordinator):
    kits = kit()
    first, _second = book(kits, quantity=4), book(kits, quantity=3)
    with pytest.raises(edits.BookingsBroken) as refused:
        services.update_resource(kits, changed(kits, stock=3), coordinator, cancel_broken=True,
                                 expected_ids=frozenset({999}))
    assert refused.value.changed and refused.value.ids == [first.id]
    reload(first)
    assert first.status == BookingStatus.CONFIRMED and kits.stock == 10


def test_equipment_becoming_a_lab_cancels_the_overlap_and_the_kept_row_blocks(coordinator, backend):
    kits = kit(stock=2)
    kept, clashing, later = book(kits), book(kits), book(kits, day=4)
    with pytest.raises(edits.BookingsBroken) as refused:
        services.update_resource(kits, as_lab(kits), coordinator)
    assert refused.value.ids == [clashing.id]
    services.update_resource(kits, as_lab(kits), coordinator, cancel_broken=True)
    reload()
    assert kits.kind == ResourceKind.FACILITY and clashing.status == BookingStatus.CANCELLED
    assert kept.blocks and later.blocks and not clashing.blocks
    if backend == "postgresql":  # the exclusion constraint now covers the kept rows
        with pytest.raises(DBAPIError) as caught:
            db.session.execute(text(
                "INSERT INTO bookings (resource_id, booked_by_id, school_id, starts_at, ends_at, status, blocks,"
                " quantity, title, class_name, is_exception, cancel_reason, decision_reason, created_at, updated_at,"
                " sequence) SELECT resource_id, booked_by_id, school_id, starts_at, ends_at, 'confirmed', true, 1,"
                " 'x', '', false, '', '', now(), now(), 0 FROM bookings WHERE id = :id"), {"id": kept.id})
        db.session.rollback()
        assert caught.value.orig.sqlstate == "23P01"


def test_a_lab_becoming_equipment_stops_blocking(coordinator):
    lab = factories.resource()
    booking = book(lab)
    services.update_resource(lab, changed(lab, kind="equipment", category="equipment_kit", subject="", stock=3),
                             coordinator)
    reload()
    assert not booking.blocks and booking.status == BookingStatus.CONFIRMED
    book(lab)  # a second kit at the same time now fits


def test_own_school_only_and_new_hours_break_other_schools_and_outside_bookings(coordinator):
    lab = factories.resource()
    own = create_booking(factories.user(school=lab.owner_school), single(lab)).bookings[0]
    other = book(lab, day=4)
    afternoon = create_booking(factories.user(school=lab.owner_school),
                               single(lab, start=local(9, 7, 14), end=local(9, 7, 15))).bookings[0]
    mornings = [Window(day, time(8), time(12)) for day in range(5)]
    with pytest.raises(edits.BookingsBroken) as refused:
        services.update_resource(lab, changed(lab, sharing="own_school", opening_hours=mornings), coordinator)
    reasons = {b.booking.id: {r.kind for r in b.refusals} for b in refused.value.broken}
    assert reasons == {other.id: {Kind.NOT_SHARED}, afternoon.id: {Kind.OUTSIDE_HOURS}}
    reload(own)
    assert lab.sharing == Sharing.DISTRICT and own.status == BookingStatus.CONFIRMED


def test_approval_turned_off_confirms_the_requests_that_fit(coordinator):
    lab = factories.resource(approval_required=True)
    first, clashing, elsewhere = book(lab), book(lab), book(lab, day=4)
    assert {first.status, clashing.status} == {BookingStatus.PENDING}
    with pytest.raises(edits.BookingsBroken) as refused:
        services.update_resource(lab, changed(lab, approval_required=False), coordinator)
    assert refused.value.ids == [clashing.id]
    saved = services.update_resource(lab, changed(lab, approval_required=False), coordinator, cancel_broken=True)
    assert [b.id for b in saved.confirmed] == [first.id, elsewhere.id]
    reload()
    assert first.status == elsewhere.status == BookingStatus.CONFIRMED and first.blocks
    assert clashing.status == BookingStatus.CANCELLED and first.decided_by_id == coordinator.id
    assert db.session.query(AuditEntry).filter_by(action="booking.approve").count() == 2


def test_an_edit_that_breaks_nothing_saves_at_once(coordinator):
    kits = kit()
    booking = book(kits, quantity=2)
    saved = services.update_resource(kits, changed(kits, stock=2, name="显微镜"), coordinator)
    assert saved.cancelled == saved.confirmed == []
    reload(booking)
    assert kits.name == "显微镜" and booking.status == BookingStatus.CONFIRMED


# --- The edit page -----------------------------------------------------------------------------------


def edit_form(resource, **changes) -> dict:
    """The edit form as the page would post it for ``resource``, with ``changes``."""
    data = services.resource_input(resource)
    form = {name: "" if getattr(data, name) is None else str(getattr(data, name))
            for name in ("kind", "category", "subject", "name", "owner_school_id", "location", "description",
                         "capacity", "stock", "sharing", "min_duration_minutes", "max_duration_minutes",
                         "max_advance_days")}
    if data.approval_required:
        form["approval_required"] = "y"
    for index, window in enumerate(data.opening_hours):
        form.update({f"opening_hours-{index}-weekday": str(window.weekday),
                     f"opening_hours-{index}-opens": f"{window.opens:%H:%M}",
                     f"opening_hours-{index}-closes": f"{window.closes:%H:%M}"})
    form.update(changes)
    return form


def test_the_edit_page_lists_what_would_break_then_cancels_exactly_that(client, login_as, coordinator):
    kits = kit()
    over, fits = book(kits, quantity=4, title="<b>物理</b>"), book(kits, quantity=3)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=kits.owner_school)
    login_as(admin)
    url = f"/resources/{kits.id}/edit"
    page = client.post(url, data=edit_form(kits, stock="3"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "此修改将影响 1 个预约" in html and 'id="broken-bookings"' in html
    assert f"/bookings/{over.id}" in html
    assert f"/bookings/{fits.id}" not in html and "&lt;b&gt;物理&lt;/b&gt;" in html and "<b>物理" not in html
    assert f'name="shown" type="hidden" value="{over.id}"' in html and 'value="cancel"' in html
    reload()
    assert kits.stock == 10  # nothing saved before the choice

    stale = client.post(url, data=edit_form(kits, stock="3", on_broken="cancel", shown="999"))
    assert stale.status_code == 200 and 'id="broken-bookings"' in stale.get_data(as_text=True)
    reload(over)
    assert kits.stock == 10 and over.status == BookingStatus.CONFIRMED

    done = client.post(url, data=edit_form(kits, stock="3", on_broken="cancel", shown=str(over.id)))
    assert done.status_code == 302
    reload()
    assert kits.stock == 3 and over.status == BookingStatus.CANCELLED and fits.status == BookingStatus.CONFIRMED
    assert "修改后不再允许的 1 个预约已取消。" in client.get(done.headers["Location"]).get_data(as_text=True)


def test_an_edit_that_breaks_nothing_saves_from_the_page(client, login_as, coordinator):
    kits = kit()
    book(kits, quantity=2)
    login_as(coordinator)
    assert client.post(f"/resources/{kits.id}/edit", data=edit_form(kits, stock="5")).status_code == 302
    reload()
    assert kits.stock == 5


# --- The API ---------------------------------------------------------------------------------------


def patch(client, resource, user, body):
    return client.patch(f"/api/v1/resources/{resource.id}", json=body, headers=bearer(user))


def test_api_answers_409_with_the_broken_bookings_until_told_to_cancel(client, coordinator):
    kits = kit(stock=2)
    kept, clashing = book(kits), book(kits)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=kits.owner_school)
    lab = {"kind": "facility", "category": "lab", "subject": "physics", "stock": 1, "capacity": 40}
    asked = patch(client, kits, admin, lab)
    body = asked.get_json()
    assert asked.status_code == 409 and body["error"] == "broken_bookings"
    assert [b["id"] for b in body["broken"]] == [clashing.id]
    assert body["broken"][0]["reasons"][0]["kind"] == "resource_overlap"
    reload()
    assert kits.kind == ResourceKind.EQUIPMENT

    done = patch(client, kits, admin, {**lab, "on_bookings": "cancel"})
    assert done.status_code == 200, done.get_json()
    result = done.get_json()
    assert result["resource"]["kind"] == "facility" and [b["id"] for b in result["cancelled"]] == [clashing.id]
    assert result["cancelled"][0]["status"] == "cancelled" and result["confirmed"] == []
    reload()
    assert kept.blocks and clashing.status == BookingStatus.CANCELLED


def test_api_changes_only_the_fields_sent(client, coordinator):
    lab = factories.resource(name="物理实验室")
    saturday = [{"weekday": 5, "opens": "09:00", "closes": "12:00"}]
    response = patch(client, lab, coordinator, {"opening_hours": saturday, "approval_required": True})
    assert response.status_code == 200, response.get_json()
    reload()
    assert lab.name == "物理实验室" and lab.approval_required and lab.capacity == 50
    assert [(h.weekday, h.opens) for h in lab.opening_hours] == [(5, time(9))]


@pytest.mark.parametrize("body, fields", [
    ({"stock": 0}, {"stock"}),
    ({"stock": "3"}, {"stock"}),
    ({"capacity": True}, {"capacity"}),
    ({"name": 5, "colour": "red"}, {"name", "colour"}),
    ({"approval_required": "yes"}, {"approval_required"}),
    ({"opening_hours": [{"weekday": 9, "opens": "8点", "closes": "17:00"}]},
     {"opening_hours[0].weekday", "opening_hours[0].opens"}),
    ({"opening_hours": "1-5 08:00-17:00"}, {"opening_hours"}),
    ({"on_bookings": "keep"}, {"on_bookings"}),
    ({"kind": "equipment"}, {"category"}),
])
def test_api_bad_input_is_named_and_nothing_saved(client, coordinator, body, fields):
    lab = factories.resource()
    response = patch(client, lab, coordinator, body)
    assert response.status_code == 422 and set(response.get_json()["fields"]) == fields
    reload()
    assert lab.kind == ResourceKind.FACILITY and lab.capacity == 50


def test_api_permissions(client, coordinator):
    lab = factories.resource(sharing=Sharing.OWN_SCHOOL)
    own_admin = factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school)
    assert patch(client, lab, factories.user(school=lab.owner_school), {"capacity": 10}).status_code == 403
    assert patch(client, lab, factories.user(role=Role.SCHOOL_ADMIN), {"capacity": 10}).status_code == 404
    moved = patch(client, lab, own_admin, {"owner_school_id": factories.school().id})
    assert moved.status_code == 422 and set(moved.get_json()["fields"]) == {"owner_school_id"}
    reload()
    assert lab.capacity == 50
    document = client.get("/api/v1/openapi.json").get_json()
    declared = document["paths"]["/resources/{resource_id}"]["patch"]
    assert "409" in declared["responses"] and "on_bookings" in declared["description"]


# --- A booking made while the edit holds the lock ------------------------------------------------------


def test_a_booking_made_during_the_edit_waits_for_it_and_meets_the_new_rules(app, coordinator, backend):
    """The edit holds the resource's lock between its check and its commit; a booker from another school
    asks meanwhile: the booking waits, then is checked against the committed change (own school only)."""
    lab = factories.resource()
    outsider_id, lab_id, coordinator_id = factories.user().id, lab.id, coordinator.id
    edit_checked, booker_waiting, release = threading.Event(), threading.Event(), threading.Event()
    real_active, real_begin = edits.active_bookings, guarantee.begin_booking_write
    outcomes: dict = {}

    def active_then_hold(resource):
        rows = real_active(resource)
        edit_checked.set()
        release.wait(timeout=30)
        return rows

    def begin_noting_the_booker(resource, edits_resource=False):
        if not edits_resource:
            booker_waiting.set()
        return real_begin(resource, edits_resource)

    def run(name, work):
        outcomes[name] = committed_or_refused(app, work, "done")

    def edit():
        resource = db.session.get(Resource, lab_id)
        actor = db.session.get(User, coordinator_id)
        services.update_resource(resource, changed(resource, sharing="own_school"), actor)

    def booking():
        create_booking(db.session.get(User, outsider_id), single(db.session.get(Resource, lab_id)))

    edits.active_bookings, guarantee.begin_booking_write = active_then_hold, begin_noting_the_booker
    try:
        editor = threading.Thread(target=run, args=("edit", edit))
        editor.start()
        assert edit_checked.wait(timeout=30)
        booker = threading.Thread(target=run, args=("booking", booking))
        booker.start()
        assert booker_waiting.wait(timeout=30)
        clock_time.sleep(0.3)  # let the booker reach the lock; the outcome is the same if it arrives later
        assert "booking" not in outcomes  # it could not get past the edit's lock
        release.set()
        editor.join()
        booker.join()
    finally:
        edits.active_bookings, guarantee.begin_booking_write = real_active, real_begin
        release.set()
    assert outcomes == {"edit": "done", "booking": "not_shared"}
    db.session.expire_all()
    assert db.session.query(Booking).filter_by(resource_id=lab_id).count() == 0
    assert db.session.get(Resource, lab_id).sharing == Sharing.OWN_SCHOOL


def test_api_reads_a_weekday_sent_as_a_whole_float(client, coordinator):
    """JSON Schema's integer includes 1.0: it used to reach the rules as a float and answer 500 (the fuzzer found it)."""
    lab = factories.resource(name="物理实验室")
    changed = patch(client, lab, coordinator, {"opening_hours": [{"weekday": 1.0, "opens": "08:00", "closes": "09:00"},
                                                                 {"weekday": 1.0, "opens": "08:30", "closes": "10:00"}]})
    assert changed.status_code == 422 and "opening_hours" in changed.get_json()["fields"]
    assert patch(client, lab, coordinator, {"opening_hours": [{"weekday": 2.0, "opens": "08:00",
                                                              "closes": "12:00"}]}).status_code == 200
    reload()
    assert [(h.weekday, h.opens.hour) for h in lab.opening_hours] == [(2, 8)]
