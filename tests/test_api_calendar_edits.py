"""Changing a closure (PUT /closures/<id>) and a make-up day (PUT /makeup-days/<id>) through the API."""
from __future__ import annotations

from datetime import date

from booking.accounts.models import Role
from booking.bookings.models import BookingStatus
from booking.extensions import db
from booking.schools.makeup import MakeupDayInput, create_makeup_day
from booking.schools.models import Closure, MakeupDay
from tests import factories
from tests.api_support import bearer
from tests.booking_support import local, statuses

AFTERNOON = {"start_date": "2026-09-03", "end_date": "2026-09-03", "start_time": "15:00", "end_time": "17:00",
             "reason": "运动会"}


def test_a_closure_moved_onto_bookings_asks_then_cancels(client, day_of_twenty):
    school, booked = day_of_twenty
    headers = bearer(factories.user(role=Role.SCHOOL_ADMIN, school=school))
    own = {**AFTERNOON, "school_id": school.id}
    closure_id = client.post("/api/v1/closures", json=own, headers=headers).get_json()["closure"]["id"]
    morning = {**own, "start_time": "08:00", "end_time": "09:00"}
    asked = client.put(f"/api/v1/closures/{closure_id}", json=morning, headers=headers)
    assert asked.status_code == 409 and asked.get_json()["error"] == "affected_bookings"
    assert db.session.get(Closure, closure_id).start_time.hour == 15  # nothing saved
    done = client.put(f"/api/v1/closures/{closure_id}", json={**morning, "on_bookings": "cancel"}, headers=headers)
    assert done.status_code == 200, done.get_json()
    hit = [b for b in booked if b.starts_at < local(9, 3, 9)]
    assert [o["id"] for o in done.get_json()["cancelled"]] == [b.id for b in hit]
    assert done.get_json()["closure"]["start_time"] == "08:00" and statuses(hit) == {BookingStatus.CANCELLED}


def test_who_may_change_which_closure(client, day_of_twenty):
    school, _booked = day_of_twenty
    admin = bearer(factories.user(role=Role.SCHOOL_ADMIN, school=school))
    own = {**AFTERNOON, "school_id": school.id}
    closure_id = client.post("/api/v1/closures", json=own, headers=admin).get_json()["closure"]["id"]
    path = f"/api/v1/closures/{closure_id}"
    assert client.put(path, json=own, headers=bearer(factories.user(school=school))).status_code == 403
    assert client.put(path, json=own, headers=bearer(factories.user(role=Role.SCHOOL_ADMIN))).status_code == 403
    district_wide = {**AFTERNOON, "school_id": None}  # an admin may not widen it to the district
    assert client.put(path, json=district_wide, headers=admin).status_code == 403
    bad = client.put(path, json={**own, "end_date": "2026-09-01"}, headers=admin)
    assert bad.status_code == 422 and "end_date" in bad.get_json()["fields"]
    assert client.put("/api/v1/closures/999999", json=own, headers=admin).status_code == 404


def test_change_a_makeup_day(client, app):
    coordinator = factories.user(role=Role.COORDINATOR)
    found = create_makeup_day(MakeupDayInput(date(2026, 9, 20), 4, "国庆节补班"), coordinator)
    db.session.commit()
    body = {"date": "2026-10-10", "follows_weekday": 3, "reason": "改为周四课表"}
    path = f"/api/v1/makeup-days/{found.id}"
    assert client.put(path, json=body, headers=bearer(factories.user(role=Role.SCHOOL_ADMIN))).status_code == 403
    changed = client.put(path, json=body, headers=bearer(coordinator))
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["date"], changed.get_json()["follows_weekday"]) == ("2026-10-10", 3)
    db.session.expire_all()
    assert db.session.get(MakeupDay, found.id).follows_weekday == 3
    bad = client.put(path, json={**body, "follows_weekday": 7}, headers=bearer(coordinator))
    assert bad.status_code == 422 and "follows_weekday" in bad.get_json()["fields"]
