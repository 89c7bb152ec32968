"""Closures and terms through /api/v1: preview, then the choice about the bookings hit (409 until made),
all in one transaction; who may add which closure; terms listed, added and changed."""
from __future__ import annotations

import pytest

from booking.accounts.models import Role
from booking.bookings import hits
from booking.bookings.models import BookingStatus
from booking.extensions import db
from booking.schools.models import Closure, Term
from tests import factories
from tests.api_support import assert_documented, bearer
from tests.booking_support import local, statuses

BODY = {"start_date": "2026-09-03", "end_date": "2026-09-03", "reason": "台风停课"}




def ids(bookings) -> list[int]:
    return [b.id for b in bookings]


def test_preview_then_409_then_cancel(client, day_of_twenty):
    school, booked = day_of_twenty
    headers = bearer(factories.user(role=Role.COORDINATOR))
    preview = client.post("/api/v1/closures/preview", json=BODY, headers=headers)
    assert preview.status_code == 200 and [o["id"] for o in preview.get_json()["affected"]] == ids(booked)
    asked = client.post("/api/v1/closures", json=BODY, headers=headers)
    assert asked.status_code == 409 and asked.get_json()["error"] == "affected_bookings"
    assert len(asked.get_json()["affected"]) == 20 and db.session.query(Closure).count() == 0
    done = client.post("/api/v1/closures", json={**BODY, "on_bookings": "cancel"}, headers=headers)
    assert done.status_code == 201, done.get_json()
    answer = done.get_json()
    assert len(answer["cancelled"]) == 20 and answer["kept"] == [] and answer["closure"]["school_id"] is None
    assert statuses(booked) == {BookingStatus.CANCELLED}


def test_keep_then_the_closure_lists_them_as_documented(client, day_of_twenty):
    school, booked = day_of_twenty
    headers = bearer(factories.user(role=Role.SCHOOL_ADMIN, school=school))
    body = {**BODY, "school_id": school.id, "start_time": "08:00", "end_time": "12:00", "on_bookings": "keep"}
    done = client.post("/api/v1/closures", json=body, headers=headers)
    assert done.status_code == 201, done.get_json()
    morning = [b for b in booked if b.starts_at < local(9, 3, 12)]
    assert [o["id"] for o in done.get_json()["kept"]] == ids(morning)
    closure_id = done.get_json()["closure"]["id"]
    detail = client.get(f"/api/v1/closures/{closure_id}", headers=headers).get_json()
    assert_documented(client, detail, "/closures/{closure_id}")
    assert detail["closure"]["start_time"] == "08:00" and [o["id"] for o in detail["bookings"]] == ids(morning)
    listing = client.get(f"/api/v1/closures?school_id={school.id}", headers=headers).get_json()
    assert_documented(client, listing, "/closures")
    assert [c["id"] for c in listing["items"]] == [closure_id]
    assert statuses(booked) == {BookingStatus.CONFIRMED}


def test_a_failure_half_way_leaves_nothing_written(client, day_of_twenty, monkeypatch):
    _school, booked = day_of_twenty
    headers = bearer(factories.user(role=Role.COORDINATOR))
    calls = []
    real_cancel = hits.cancel_booking

    def cancel_then_fail(*args, **kwargs):
        calls.append(args[1].id)
        if len(calls) == 7:
            raise RuntimeError("the database went away half-way")
        return real_cancel(*args, **kwargs)

    monkeypatch.setattr(hits, "cancel_booking", cancel_then_fail)
    response = client.post("/api/v1/closures", json={**BODY, "on_bookings": "cancel"}, headers=headers)
    assert response.status_code == 500 and len(calls) == 7
    db.session.rollback()
    assert db.session.query(Closure).count() == 0 and statuses(booked) == {BookingStatus.CONFIRMED}


def test_who_may_add_and_delete_which_closure(client, day_of_twenty):
    school, _booked = day_of_twenty
    admin = bearer(factories.user(role=Role.SCHOOL_ADMIN, school=school))
    other_admin = bearer(factories.user(role=Role.SCHOOL_ADMIN))
    teacher = bearer(factories.user(school=school))
    own = {**BODY, "school_id": school.id, "on_bookings": "keep"}
    assert client.post("/api/v1/closures", json={**BODY, "on_bookings": "keep"}, headers=admin).status_code == 403
    assert client.post("/api/v1/closures", json=own, headers=other_admin).status_code == 403
    assert client.post("/api/v1/closures", json=own, headers=teacher).status_code == 403
    created = client.post("/api/v1/closures", json=own, headers=admin).get_json()["closure"]
    assert client.delete(f"/api/v1/closures/{created['id']}", headers=other_admin).status_code == 403
    assert client.delete(f"/api/v1/closures/{created['id']}", headers=admin).status_code == 200
    assert db.session.query(Closure).count() == 0


@pytest.mark.parametrize("changes, field", [
    ({"start_time": "08:00"}, "end_time"),
    ({"start_time": "12:00", "end_time": "08:00"}, "end_time"),
    ({"end_date": "2026-09-01"}, "end_date"),
    ({"school_id": 999999}, "school_id"),
    ({"on_bookings": "maybe"}, "on_bookings"),
])
def test_bad_closures_are_named_and_nothing_saved(client, app, changes, field):
    response = client.post("/api/v1/closures", json={**BODY, **changes},
                           headers=bearer(factories.user(role=Role.COORDINATOR)))
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert db.session.query(Closure).count() == 0


def test_terms_listed_added_and_changed(client, app):
    coordinator = bearer(factories.user(role=Role.COORDINATOR))
    body = {"name": "2026—2027学年第一学期", "start_date": "2026-09-01", "end_date": "2027-01-22"}
    created = client.post("/api/v1/terms", json=body, headers=coordinator)
    assert created.status_code == 201
    term_id = created.get_json()["id"]
    overlapping = client.post("/api/v1/terms", json={**body, "name": "第二学期"}, headers=coordinator)
    assert overlapping.status_code == 422 and "start_date" in overlapping.get_json()["fields"]
    changed = client.put(f"/api/v1/terms/{term_id}", json={**body, "end_date": "2027-01-20"}, headers=coordinator)
    assert changed.status_code == 200 and changed.get_json()["end_date"] == "2027-01-20"
    listing = client.get("/api/v1/terms", headers=coordinator).get_json()
    assert_documented(client, listing, "/terms")
    assert [t["name"] for t in listing["items"]] == ["2026—2027学年第一学期"]
    admin = bearer(factories.user(role=Role.SCHOOL_ADMIN))
    assert client.post("/api/v1/terms", json=body, headers=admin).status_code == 403
    area = bearer(factories.user(role=Role.COORDINATOR, area="上片"))
    assert client.put(f"/api/v1/terms/{term_id}", json=body, headers=area).status_code == 403
    assert db.session.get(Term, term_id).end_date.isoformat() == "2027-01-20"
