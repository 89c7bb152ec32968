"""PATCH /api/v1/bookings/<id>: the change page's rules through the API (scope, periods, permissions, 409/422)."""
from __future__ import annotations

from booking.accounts.models import Role
from booking.bookings.models import Booking
from booking.extensions import db
from booking.resources.models import Sharing
from tests import factories
from tests.api_support import bearer
from tests.booking_support import local

THURSDAY = {"start": "2026-09-03T09:50:00", "end": "2026-09-03T10:30:00"}


def book(client, user, resource, **kw) -> dict:
    body = {"resource_id": resource.id, "title": "力学实验", "class_name": "八年级1班", **THURSDAY, **kw}
    response = client.post("/api/v1/bookings", json=body, headers=bearer(user))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def patch(client, user, booking_id: int, body: dict):
    return client.patch(f"/api/v1/bookings/{booking_id}", json=body, headers=bearer(user))


def test_move_one_booking_to_a_bell_period_and_rename_it(client, teacher, lab):
    booked = book(client, teacher, lab)
    response = patch(client, teacher, booked["id"], {"day": "2026-09-04", "period_number": 1, "title": "光学"})
    assert response.status_code == 200, response.get_json()
    assert [o["id"] for o in response.get_json()["changed"]] == [booked["id"]]
    row = db.session.get(Booking, booked["id"])
    assert (row.starts_at, row.ends_at, row.title) == (local(9, 4, 8, 0), local(9, 4, 8, 40), "光学")
    assert row.class_name == "八年级1班"  # what the body leaves out stays


def test_change_the_following_dates_of_a_series(client, teacher, lab):
    booked = book(client, teacher, lab, recurrence={"rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=4"})
    third = booked["occurrences"][2]["id"]
    response = patch(client, teacher, third, {"scope": "following", "start_time": "14:00", "end_time": "14:40"})
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["changed"]) == 2
    starts = [db.session.get(Booking, o["id"]).starts_at for o in booked["occurrences"]]
    assert starts == [local(9, 3, 9, 50), local(9, 10, 9, 50), local(9, 17, 14, 0), local(9, 24, 14, 0)]
    # Only a single date moves to another day.
    refused = patch(client, teacher, third, {"scope": "series", "day": "2026-09-18"})
    assert refused.status_code == 422 and "day" in refused.get_json()["fields"]


def test_a_clash_is_a_409_and_nothing_changes(client, teacher, lab):
    other = book(client, factories.user(), lab, start="2026-09-03T14:00:00", end="2026-09-03T14:40:00")
    mine = book(client, teacher, lab)
    response = patch(client, teacher, mine["id"], {"start_time": "14:00", "end_time": "14:40"})
    assert response.status_code == 409 and response.get_json()["conflicts"][0]["booking_id"] == other["id"]
    assert db.session.get(Booking, mine["id"]).starts_at == local(9, 3, 9, 50)


def test_who_may_change(client, teacher, lab):
    mine = book(client, teacher, lab)["id"]
    assert patch(client, factories.user(), mine, {"title": "x"}).status_code == 403  # another teacher
    other_admin = factories.user(role=Role.SCHOOL_ADMIN)  # another school's admin
    assert patch(client, other_admin, mine, {"title": "x"}).status_code == 403
    own_admin = factories.user(role=Role.SCHOOL_ADMIN, school=teacher.school)
    assert patch(client, own_admin, mine, {"title": "改名"}).status_code == 200
    private = factories.resource(sharing=Sharing.OWN_SCHOOL)
    hidden = book(client, factories.user(school=private.owner_school), private)["id"]
    assert patch(client, teacher, hidden, {"title": "x"}).status_code == 404


def test_bad_input_is_a_422_naming_the_field(client, teacher, lab):
    mine = book(client, teacher, lab)["id"]
    for body, field in (({"period_number": 9}, "period_number"), ({"start_time": "10:00", "end_time": "09:00"},
                                                                   "end_time"),
                        ({"title": ""}, "title"), ({"scope": "all"}, "scope"), ({"colour": "red"}, "colour")):
        response = patch(client, teacher, mine, body)
        assert response.status_code == 422 and field in response.get_json()["fields"], (body, response.get_json())
    assert client.delete(f"/api/v1/bookings/{mine}", headers=bearer(teacher)).status_code == 200
    response = patch(client, teacher, mine, {"title": "x"})
    assert response.status_code == 422 and "booking" in response.get_json()["fields"]
