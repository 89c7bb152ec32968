"""Closures that handle what they hit (issue 13): typed on the page or imported, they list the bookings
they fall on, then cancel or keep them in one unit of work; kept ones stay flagged for the coordinator.
A time-range closure (08:00–12:00) closes only that range."""
import io
import re
from datetime import date, time

import pytest
from sqlalchemy import inspect
from sqlalchemy import select

from booking import events
from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings import hits
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.notifications.models import Notification, NotificationKind
from booking.bookings import closures
from booking.schools.calendar import ClosureInput
from booking.schools.models import Closure
from tests import factories
from tests.booking_support import announcements, freeze, local, single, statuses
from tests.test_ics_import import calendar as calendar_file
from tests.test_ics_import import vevent
from tests.test_ics_import_pages import PAYLOAD

THURSDAY = "2026-09-03"
FORM = {"school_id": "", "start_date": THURSDAY, "end_date": THURSDAY, "start_time": "", "end_time": "",
        "reason": "台风停课"}


@pytest.fixture
def heard():
    """closure_hit, booking_cancelled and slot_freed announcements: (signal, booking ids, details)."""
    signals = (events.closure_hit, events.booking_cancelled, events.slot_freed)
    with announcements(signals, lambda name, _actor, bookings, details: (name, sorted(b.id for b in bookings),
                                                                        details)) as log:
        yield log


@pytest.fixture
def coordinator(login_as):
    user = factories.user(role=Role.COORDINATOR)
    login_as(user)
    return user


# --- The pages --------------------------------------------------------------------------------------


def test_the_page_lists_the_twenty_bookings_then_cancels_them(client, coordinator, day_of_twenty, heard):
    _school, booked = day_of_twenty
    page = client.post("/admin/closures/new", data=FORM)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="affected-bookings"' in html and "20" in html
    assert html.count('href="/bookings/') >= 20 and db.session.query(Closure).count() == 0
    shown = ",".join(str(b.id) for b in booked)
    assert f'value="{shown}"' in html
    response = client.post("/admin/closures/new", data={**FORM, "on_bookings": "cancel", "shown": shown})
    assert response.status_code == 302
    assert statuses(booked) == {BookingStatus.CANCELLED}
    closure = db.session.query(Closure).one()
    assert {db.session.get(Booking, b.id).cancel_reason for b in booked} == {"台风停课"}
    hit = [entry for entry in heard if entry[0] == "closure-hit"]
    assert [(name, ids, inspect(details["closure"]).identity[0], details["action"])
                                                                        for name, ids, details in hit] == [
        ("closure-hit", sorted(b.id for b in booked), closure.id, "cancelled")]
    assert sorted(i for name, ids, _d in heard if name == "booking-cancelled" for i in ids) == sorted(b.id for b in booked)
    assert sum(len(ids) for name, ids, _d in heard if name == "slot-freed") == 20
    assert "台风停课" not in _flagged(client)


def _flagged(client) -> str:
    html = client.get("/admin/closures").get_data(as_text=True)
    start = html.find('id="kept-on-closures"')
    return html[start:html.find("</section>", start)] if start >= 0 else ""


def test_keep_leaves_them_confirmed_and_the_closures_page_flags_them(client, coordinator, day_of_twenty, heard):
    _school, booked = day_of_twenty
    shown = ",".join(str(b.id) for b in booked)
    response = client.post("/admin/closures/new", data={**FORM, "on_bookings": "keep", "shown": shown},
                           follow_redirects=True)
    assert "20 个预约保留" in response.get_data(as_text=True)
    assert statuses(booked) == {BookingStatus.CONFIRMED}
    flagged = _flagged(client)
    assert "台风停课" in flagged and all(f'href="/bookings/{b.id}"' in flagged for b in booked)
    assert [(name, details["action"]) for name, _ids, details in heard] == [("closure-hit", "kept")]
    entry = db.session.query(AuditEntry).filter_by(action="closure.create").one()
    assert entry.details["on_bookings"] == "keep" and len(entry.details["affected_ids"]) == 20


def test_a_kept_booking_is_flagged_on_its_page_and_in_the_approval_queue(client, coordinator, day_of_twenty):
    school, booked = day_of_twenty
    room = booked[0].resource
    room.approval_required = True
    request = create_booking(factories.user(), single(room, start=local(9, 3, 15), end=local(9, 3, 15, 40))).bookings[0]
    db.session.commit()
    shown = ",".join(str(b.id) for b in sorted([*booked, request], key=lambda b: (b.starts_at, b.id)))
    client.post("/admin/closures/new", data={**FORM, "school_id": str(school.id), "on_bookings": "keep",
                                             "shown": shown})
    detail = client.get(f"/bookings/{booked[0].id}").get_data(as_text=True)
    assert 'class="closure-flag"' in detail and "台风停课" in detail
    queue = client.get("/bookings/approvals").get_data(as_text=True)
    start = queue.index(f'id="request-{request.id}"')
    assert 'class="closure-flag"' in queue[start:queue.index("</article>", start)]
    other = factories.resource()
    elsewhere = create_booking(factories.user(), single(other)).bookings[0]
    db.session.commit()
    assert 'class="closure-flag"' not in client.get(f"/bookings/{elsewhere.id}").get_data(as_text=True)


def test_a_booking_made_after_the_list_was_shown_asks_again(client, coordinator, day_of_twenty):
    school, booked = day_of_twenty
    shown = ",".join(str(b.id) for b in booked[:-1])
    page = client.post("/admin/closures/new", data={**FORM, "on_bookings": "cancel", "shown": shown})
    assert page.status_code == 200 and "有变化" in page.get_data(as_text=True)
    assert db.session.query(Closure).count() == 0 and statuses(booked) == {BookingStatus.CONFIRMED}


def test_a_failure_half_way_leaves_nothing_written(client, coordinator, day_of_twenty, monkeypatch):
    _school, booked = day_of_twenty
    calls = []
    real_cancel = hits.cancel_booking

    def cancel_then_fail(*args, **kwargs):
        calls.append(args[1].id)
        if len(calls) == 10:
            raise RuntimeError("the database went away half-way")
        return real_cancel(*args, **kwargs)

    monkeypatch.setattr(hits, "cancel_booking", cancel_then_fail)
    shown = ",".join(str(b.id) for b in booked)
    response = client.post("/admin/closures/new", data={**FORM, "on_bookings": "cancel", "shown": shown})
    assert response.status_code == 500 and len(calls) == 10
    db.session.rollback()
    assert db.session.query(Closure).count() == 0
    assert statuses(booked) == {BookingStatus.CONFIRMED}
    assert db.session.query(AuditEntry).filter(AuditEntry.action.in_(["closure.create", "booking.cancel"])).count() == 0


def test_a_closure_of_another_school_hits_nothing_there(client, coordinator, day_of_twenty):
    _school, booked = day_of_twenty
    other = factories.school(name="石门小学")
    response = client.post("/admin/closures/new", data={**FORM, "school_id": str(other.id)})
    assert response.status_code == 302 and statuses(booked) == {BookingStatus.CONFIRMED}


def test_a_morning_closure_lists_only_the_morning(client, coordinator, day_of_twenty):
    school, booked = day_of_twenty
    morning = {**FORM, "school_id": str(school.id), "start_time": "08:00", "end_time": "12:00"}
    html = client.post("/admin/closures/new", data=morning).get_data(as_text=True)
    inside = [b for b in booked if b.starts_at < local(9, 3, 12)]
    assert len(inside) == 12 and f'value="{",".join(str(b.id) for b in inside)}"' in html
    shown = ",".join(str(b.id) for b in inside)
    assert client.post("/admin/closures/new", data={**morning, "on_bookings": "cancel", "shown": shown}).status_code == 302
    assert statuses(inside) == {BookingStatus.CANCELLED}
    assert statuses([b for b in booked if b not in inside]) == {BookingStatus.CONFIRMED}
    listing = client.get("/admin/closures").get_data(as_text=True)
    assert "08:00–12:00" in listing


@pytest.mark.parametrize("changes, field", [
    ({"start_time": "08:00"}, "end_time"),
    ({"start_time": "12:00", "end_time": "08:00"}, "end_time"),
    ({"start_time": "25:00", "end_time": "12:00"}, "start_time"),
])
def test_bad_times_are_named_and_nothing_saved(client, coordinator, changes, field):
    response = client.post("/admin/closures/new", data={**FORM, **changes})
    assert response.status_code == 422 and f'id="{field}-error"' in response.get_data(as_text=True)
    assert db.session.query(Closure).count() == 0


# --- The rules --------------------------------------------------------------------------------------


def test_a_time_range_closure_refuses_only_inside_its_range(app):
    freeze()
    room = factories.resource()
    closures.create_closure(ClosureInput(THURSDAY, THURSDAY, "开放日", str(room.owner_school_id), "08:00", "12:00"),
                            None)
    with pytest.raises(BookingRefused) as refused:
        create_booking(factories.user(), single(room, start=local(9, 3, 11), end=local(9, 3, 12, 30)))
    assert [r.kind for r in refused.value.refusals] == ["closed"]
    assert "08:00" in str(refused.value.refusals[0].message)
    assert create_booking(factories.user(), single(room, start=local(9, 3, 13), end=local(9, 3, 13, 40))).bookings


def test_editing_a_closure_lists_what_its_new_dates_fall_on(app, day_of_twenty):
    school, booked = day_of_twenty
    closure = closures.create_closure(ClosureInput("2026-09-04", "2026-09-04", "运动会", str(school.id)), None).closure
    assert closures.closure_hits(closure) == []
    span = closures.validated(ClosureInput(THURSDAY, THURSDAY, "运动会", str(school.id)))
    assert [b.id for b in closures.closure_hits(span)] == [b.id for b in booked]
    coordinator = factories.user(role=Role.COORDINATOR)
    saved = closures.update_closure(closure, ClosureInput(THURSDAY, THURSDAY, "运动会", str(school.id)), coordinator,
                                    "cancel")
    assert len(saved.cancelled) == 20 and saved.kept == [] and closure.start_date == date(2026, 9, 3)


# --- The .ics import --------------------------------------------------------------------------------

TYPHOON = calendar_file(vevent("台风停课", "DTSTART;VALUE=DATE:20260903", uid="typhoon@xt"))
MORNING = calendar_file(vevent("开放日", "DTSTART;TZID=Asia/Shanghai:20260903T080000",
                               "DTEND;TZID=Asia/Shanghai:20260903T120000", uid="open-day@xt"))


def _preview(client, data: bytes, school_id="") -> str:
    form = {"kind": "closures", "school_id": str(school_id), "remove_missing": "y",
            "file": (io.BytesIO(data), "calendar.ics")}
    response = client.post("/admin/calendar-import", data=form, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _apply(client, page: str, **fields):
    payload = PAYLOAD.search(page).group(1)
    shown = re.search(r'name="shown" type="hidden" value="([^"]*)"', page).group(1)
    return client.post("/admin/calendar-import/apply", data={"payload": payload, "shown": shown, **fields})


def test_an_imported_closure_lists_the_twenty_bookings_and_cancel_leaves_none_confirmed(client, coordinator,
                                                                                       day_of_twenty, heard):
    _school, booked = day_of_twenty
    page = _preview(client, TYPHOON)
    assert 'id="affected-1"' in page and all(f'href="/bookings/{b.id}"' in page for b in booked)
    assert 'value="cancel"' in page and db.session.query(Closure).count() == 0
    assert _apply(client, page, on_bookings="cancel").status_code == 302
    assert statuses(booked) == {BookingStatus.CANCELLED}
    closure = db.session.query(Closure).one()
    assert [(name, len(ids), d["action"]) for name, ids, d in heard if name == "closure-hit"] == [
        ("closure-hit", 20, "cancelled")]
    assert next(inspect(d["closure"]).identity[0] for name, _ids, d in heard if name == "closure-hit") == closure.id
    assert sum(len(ids) for name, ids, _d in heard if name == "booking-cancelled") == 20
    # The done-when of issue 13: each booker has a notification of the closure (booking.notifications).
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == NotificationKind.CLOSURE_HIT)))
    assert told == {b.booked_by_id for b in booked}


def test_an_imported_closure_kept_leaves_them_confirmed_and_flagged(client, coordinator, day_of_twenty):
    _school, booked = day_of_twenty
    page = _preview(client, TYPHOON)
    assert _apply(client, page, on_bookings="keep").status_code == 302
    assert statuses(booked) == {BookingStatus.CONFIRMED}
    flagged = _flagged(client)
    assert "台风停课" in flagged and all(f'href="/bookings/{b.id}"' in flagged for b in booked)


def test_the_import_asks_again_when_a_booking_was_made_since_the_preview(client, coordinator, day_of_twenty):
    school, booked = day_of_twenty
    page = _preview(client, TYPHOON)
    room = booked[0].resource
    create_booking(factories.user(), single(room, start=local(9, 3, 15), end=local(9, 3, 15, 40)))
    db.session.commit()
    again = _apply(client, page, on_bookings="cancel")
    assert again.status_code == 200 and 'id="affected-1"' in again.get_data(as_text=True)
    assert db.session.query(Closure).count() == 0 and statuses(booked) == {BookingStatus.CONFIRMED}


def test_an_imported_timed_event_is_a_time_range_closure(client, coordinator, day_of_twenty):
    school, booked = day_of_twenty
    page = _preview(client, MORNING, school.id)
    morning = [b for b in booked if b.starts_at < local(9, 3, 12)]
    assert all(f'href="/bookings/{b.id}"' in page for b in morning)
    assert not any(f'href="/bookings/{b.id}"' in page for b in booked if b not in morning)
    assert _apply(client, page, on_bookings="cancel").status_code == 302
    closure = db.session.query(Closure).one()
    assert (closure.start_time, closure.end_time) == (time(8), time(12))
    assert statuses(morning) == {BookingStatus.CANCELLED}
    assert statuses([b for b in booked if b not in morning]) == {BookingStatus.CONFIRMED}
    room = booked[0].resource
    assert create_booking(factories.user(), single(room, start=local(9, 3, 15), end=local(9, 3, 15, 40))).bookings
    with pytest.raises(BookingRefused):
        create_booking(factories.user(), single(room, start=local(9, 3, 11), end=local(9, 3, 11, 40)))


def test_kept_bookings_can_be_cancelled_later_by_saving_the_closure_again(client, coordinator, day_of_twenty):
    _school, booked = day_of_twenty
    shown = ",".join(str(b.id) for b in booked)
    client.post("/admin/closures/new", data={**FORM, "on_bookings": "keep", "shown": shown})
    closure = db.session.query(Closure).one()
    assert f"/admin/closures/{closure.id}" in _flagged(client)
    again = client.post(f"/admin/closures/{closure.id}", data=FORM).get_data(as_text=True)
    assert 'id="affected-bookings"' in again and f'value="{shown}"' in again
    done = client.post(f"/admin/closures/{closure.id}", data={**FORM, "on_bookings": "cancel", "shown": shown})
    assert done.status_code == 302 and statuses(booked) == {BookingStatus.CANCELLED}
    assert _flagged(client) == ""


def test_an_area_coordinator_closes_the_schools_of_their_area_only(client, login_as, day_of_twenty):
    school, booked = day_of_twenty
    school.area = "上片"
    other = factories.school(name="李寨小学", area="下片")
    district = factories.closure(district_id=school.district_id, reason="国庆节")
    theirs = factories.closure(district_id=school.district_id, school_id=other.id, reason="下片运动会")
    login_as(factories.user(role=Role.COORDINATOR, area="上片"))
    form = client.get("/admin/closures/new").get_data(as_text=True)
    assert f'<option value="{school.id}"' in form and f'<option value="{other.id}"' not in form
    assert '<option value=""' not in form
    refused = client.post("/admin/closures/new", data={**FORM, "on_bookings": "keep"})
    assert refused.status_code == 422 and 'id="school_id-error"' in refused.get_data(as_text=True)
    shown = ",".join(str(b.id) for b in booked)
    saved = client.post("/admin/closures/new", data={**FORM, "school_id": str(school.id), "on_bookings": "cancel",
                                                     "shown": shown})
    assert saved.status_code == 302 and statuses(booked) == {BookingStatus.CANCELLED}
    listing = client.get("/admin/closures").get_data(as_text=True)
    assert "国庆节" in listing and "下片运动会" not in listing
    assert f"/admin/closures/{district.id}" not in listing
    assert client.get(f"/admin/closures/{district.id}").status_code == 404
    assert client.post(f"/admin/closures/{theirs.id}/delete").status_code == 404
    assert db.session.query(Closure).count() == 3
