"""The booking API: 201 / 409 with suggestions / 422 naming fields, listing, cancelling, approving."""
import pytest

from booking.accounts.models import Role
from booking.bookings.models import Booking, BookingSeries
from booking.extensions import db
from booking.resources.models import Category, ResourceKind, Sharing
from tests import factories
from tests.api_support import assert_documented, bearer
from tests.booking_support import local

THURSDAY = {"start": "2026-09-03T09:50:00", "end": "2026-09-03T10:30:00"}  # naive: district time


def post(client, user, body, headers=None):
    return client.post("/api/v1/bookings", json=body, headers=headers or bearer(user))


def body_for(resource, **kw):
    return {"resource_id": resource.id, "title": "力学实验", "class_name": "八年级1班", "students": 32, **THURSDAY, **kw}


def test_book_once(client, teacher, lab):
    response = post(client, teacher, body_for(lab))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "confirmed" and body["series_id"] is None
    assert body["occurrences"] == [{"id": body["id"], "start": "2026-09-03T01:50:00Z", "end": "2026-09-03T02:30:00Z",
                                    "status": "confirmed"}]


def test_a_title_and_class_keep_to_one_line(client, teacher, lab):
    """Regression (an attack pass, 2026-12-06): line breaks and control characters were stored in a title."""
    title, class_name = "力学\r\nEND:VEVENT\r\nBEGIN:VEVENT\tUID:evil\u2028", "八年级\n1班"
    response = post(client, teacher, body_for(lab, title=title, class_name=class_name))
    assert response.status_code == 201, response.get_json()
    booking = db.session.get(Booking, response.get_json()["id"])
    assert (booking.title, booking.class_name) == ("力学 END:VEVENT BEGIN:VEVENT UID:evil", "八年级 1班")
    changed = client.patch(f"/api/v1/bookings/{booking.id}", json={"title": "新\r\n标题"}, headers=bearer(teacher))
    assert changed.status_code == 200, changed.get_json()
    assert db.session.get(Booking, booking.id).title == "新 标题"


def test_an_offset_is_respected(client, teacher, lab):
    response = post(client, teacher, body_for(lab, start="2026-09-03T01:50:00Z", end="2026-09-03T10:30:00+08:00"))
    assert response.status_code == 201
    assert db.session.get(Booking, response.get_json()["id"]).starts_at == local(9, 3, 9, 50)


def test_book_a_series_skipping_conflicts(client, teacher, lab):
    post(client, factories.user(), body_for(lab, start="2026-09-10T09:50:00", end="2026-09-10T10:30:00"))
    recurrence = {"rrule": "FREQ=WEEKLY;BYDAY=TH;UNTIL=20260924", "skip_conflicts": True}
    body = post(client, teacher, body_for(lab, recurrence=recurrence)).get_json()
    assert [o["start"][:10] for o in body["occurrences"]] == ["2026-09-03", "2026-09-17", "2026-09-24"]
    assert body["skipped"][0]["state"] == "conflict" and body["skipped"][0]["conflicts"][0]["kind"] == "resource_overlap"
    assert body["series_id"] == db.session.query(BookingSeries).one().id


def test_a_clash_is_a_409_with_conflicts_and_suggestions(client, teacher, lab):
    first = post(client, factories.user(), body_for(lab)).get_json()
    factories.resource(name="另一个实验室")
    response = post(client, teacher, body_for(lab, start="2026-09-03T10:00:00", end="2026-09-03T10:40:00"))
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "conflict"
    [conflict] = body["conflicts"]
    assert conflict["kind"] == "resource_overlap" and conflict["booking_id"] == first["id"]
    assert conflict["start"] == "2026-09-03T01:50:00Z" and conflict["message"]
    assert 1 <= len(body["suggestions"]) <= 5 and {"resource_id", "start", "end"} <= set(body["suggestions"][0])
    assert db.session.query(Booking).count() == 1


@pytest.mark.parametrize("change, field", [
    ({"end": "2026-09-03T09:50:00"}, "end"),
    ({"end": "2026-09-03T09:00:00"}, "end"),
    ({"end": "2026-10-15T10:30:00"}, "end"),
    ({"resource_id": 99999}, "resource_id"),
    ({"resource_id": "1"}, "resource_id"),
    ({"start": "next thursday"}, "start"),
    ({"start": "2026-09-03"}, "start"),
    ({"start": "2026-02-30T09:50:00"}, "start"),
    ({"start": "2026-09-03T09:50:00+25:00"}, "start"),
    ({"start": "2026-09-03T09:50:00+0800Z"}, "start"),
    ({"start": "2026-09-03T09:50:00Z+08:00"}, "start"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": 2}, "quantity"),
    ({"quantity": True}, "quantity"),
    ({"title": ""}, "title"),
    ({"students": -3}, "students"),
    ({"colour": "red"}, "colour"),
    ({"recurrence": {"rrule": "FREQ=WEEKLY;BYDAY=TH"}}, "recurrence"),
    ({"recurrence": {"rrule": "EVERY THURSDAY"}}, "recurrence"),
    ({"recurrence": {"rrule": "FREQ=DAILY;COUNT=365"}}, "recurrence"),
    ({"recurrence": {"rrule": "FREQ=WEEKLY;BYDAY=TH;UNTIL=20280101"}}, "recurrence"),
    ({"recurrence": "weekly"}, "recurrence"),
    ({"recurrence": {"rrule": "FREQ=WEEKLY;COUNT=2", "skip_conflicts": "yes"}}, "recurrence.skip_conflicts"),
])
def test_invalid_input_is_a_422_naming_the_field(client, teacher, lab, change, field):
    response = post(client, teacher, body_for(lab, **change))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    assert db.session.query(Booking).count() == 0


def test_a_body_that_is_not_an_object_is_refused(client, teacher):
    response = client.post("/api/v1/bookings", data="[1, 2", headers={**bearer(teacher), "Content-Type": "application/json"})
    assert response.status_code == 422 and "body" in response.get_json()["fields"]


def test_writing_needs_a_token(client, teacher, lab, login_as):
    login_as(teacher)
    assert client.post("/api/v1/bookings", json=body_for(lab)).status_code == 401


def test_list_and_read_bookings(client, teacher, lab):
    booked = post(client, teacher, body_for(lab)).get_json()
    headers = bearer(teacher)
    page = client.get(f"/api/v1/bookings?resource={lab.id}&start=2026-09-03T00:00:00&end=2026-09-04T00:00:00",
                      headers=headers).get_json()
    assert [item["id"] for item in page["items"]] == [booked["id"]] and page["total"] == 1
    assert client.get("/api/v1/bookings?start=2026-09-04T00:00:00", headers=headers).get_json()["total"] == 0
    assert client.get("/api/v1/bookings?status=cancelled", headers=headers).get_json()["total"] == 0
    assert client.get("/api/v1/bookings?start=tomorrow", headers=headers).status_code == 422
    detail = client.get(f"/api/v1/bookings/{booked['id']}", headers=headers).get_json()
    assert detail["class_name"] == "八年级1班" and detail["sequence"] == 0
    assert_documented(client, detail, "/bookings/{booking_id}")


def test_hidden_bookings_are_404_and_others_bookings_403_to_cancel(client, teacher, lab):
    private = factories.resource(sharing=Sharing.OWN_SCHOOL)
    owner_teacher = factories.user(school=private.owner_school)
    hidden = post(client, owner_teacher, body_for(private)).get_json()["id"]
    mine = post(client, teacher, body_for(lab)).get_json()["id"]
    stranger = bearer(factories.user())
    assert client.get(f"/api/v1/bookings/{hidden}", headers=stranger).status_code == 404
    assert client.delete(f"/api/v1/bookings/{hidden}", headers=stranger).status_code == 404
    assert client.delete(f"/api/v1/bookings/{mine}", headers=stranger).status_code == 403
    assert client.get(f"/api/v1/bookings/{2**40}", headers=stranger).status_code == 404


def test_cancel_following_dates(client, teacher, lab):
    recurrence = {"rrule": "FREQ=WEEKLY;BYDAY=TH;COUNT=4"}
    occurrences = post(client, teacher, body_for(lab, recurrence=recurrence)).get_json()["occurrences"]
    response = client.delete(f"/api/v1/bookings/{occurrences[2]['id']}?scope=following&reason=期中考试",
                             headers=bearer(teacher))
    assert response.status_code == 200
    assert [o["status"] for o in response.get_json()["changed"]] == ["cancelled", "cancelled"]
    assert db.session.get(Booking, occurrences[2]["id"]).cancel_reason == "期中考试"
    assert client.delete(f"/api/v1/bookings/{occurrences[0]['id']}?scope=all",
                         headers=bearer(teacher)).status_code == 422


def test_approve_and_reject_requests(client, teacher):
    gym = factories.resource(name="体育馆", approval_required=True)
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    first = post(client, teacher, body_for(gym)).get_json()
    second = post(client, factories.user(), body_for(gym)).get_json()
    assert first["status"] == second["status"] == "pending"
    assert client.post(f"/api/v1/bookings/{first['id']}/approve", json={}, headers=bearer(teacher)).status_code == 403
    response = client.post(f"/api/v1/bookings/{first['id']}/approve", json={"reason": "同意"}, headers=bearer(admin))
    assert response.status_code == 200
    assert response.get_json()["rejected"][0]["id"] == second["id"]
    third = post(client, factories.user(), body_for(gym, start="2026-09-04T09:50:00", end="2026-09-04T10:30:00"))
    third_id = third.get_json()["id"]
    assert client.post(f"/api/v1/bookings/{third_id}/reject", json={}, headers=bearer(admin)).status_code == 422
    response = client.post(f"/api/v1/bookings/{third_id}/reject", json={"reason": "场地维修"}, headers=bearer(admin))
    assert response.get_json()["changed"][0]["status"] == "rejected"


def test_availability_lists_busy_intervals_and_free_periods(client, teacher, lab):
    post(client, teacher, body_for(lab))
    url = f"/api/v1/resources/{lab.id}/availability?start=2026-09-03T00:00:00&end=2026-09-04T00:00:00"
    body = client.get(url, headers=bearer(teacher)).get_json()
    assert [(b["kind"], b["status"], b["start"]) for b in body["busy"]] == [("booking", "confirmed", "2026-09-03T01:50:00Z")]
    assert [p["number"] for p in body["free_periods"]] == [1, 2, 4, 5, 6]
    assert_documented(client, body, "/resources/{resource_id}/availability")
    assert client.get(f"/api/v1/resources/{lab.id}/availability?start=2026-09-03T00:00:00",
                      headers=bearer(teacher)).status_code == 422


def test_equipment_quantities_through_the_api(client, teacher):
    kit = factories.resource(kind=ResourceKind.EQUIPMENT, category=Category.EQUIPMENT_KIT, stock=3, capacity=None)
    assert post(client, teacher, body_for(kit, quantity=2)).status_code == 201
    response = post(client, teacher, body_for(kit, quantity=2))
    assert response.status_code == 409 and response.get_json()["conflicts"][0]["kind"] == "quantity"


def test_district_search_ranks_free_resources_by_travel_time(client, teacher, lab):
    near, far = factories.resource(name="近处实验室"), factories.resource(name="远处实验室")
    factories.travel(teacher.school, near.owner_school, 10)
    factories.travel(teacher.school, far.owner_school, 40)
    post(client, teacher, body_for(lab))
    body = client.get("/api/v1/free-resources?category=lab&date=2026-09-03&period=3",
                      headers=bearer(teacher)).get_json()
    assert [item["resource_name"] for item in body["items"]] == ["近处实验室", "远处实验室"]
    assert body["items"][0]["travel_minutes"] == 10 and body["items"][0]["start"] == "2026-09-03T01:50:00Z"
    assert client.get("/api/v1/free-resources?category=lab&date=2026-09-03&start=10:00&end=09:00",
                      headers=bearer(teacher)).status_code == 422
    assert_documented(client, body, "/free-resources")


def test_refusals_speak_the_token_owners_language(client, lab):
    from tests.booking_support import freeze

    freeze()
    post(client, factories.user(), body_for(lab))
    chinese = factories.user(locale="zh_CN")
    english = factories.user(locale="en")
    clash = body_for(lab, start="2026-09-03T10:00:00", end="2026-09-03T10:40:00")
    zh_message = post(client, chinese, clash).get_json()["conflicts"][0]["message"]
    en_message = post(client, english, clash).get_json()["conflicts"][0]["message"]
    assert "预约" in zh_message and "booked" in en_message.lower()


# --- booking by bell period (第N节), as the booking page offers it -----------------------------------------

def by_period(resource, **kw):
    return {"resource_id": resource.id, "title": "力学实验", "class_name": "八年级1班", "day": "2026-09-03",
            "period_number": 3, **kw}


def test_book_by_bell_period_as_the_page_does(client, teacher, lab):
    once = post(client, teacher, by_period(lab))
    assert once.status_code == 201, once.get_json()
    assert once.get_json()["occurrences"][0] | {"id": 0} == {"id": 0, "start": "2026-09-03T01:50:00Z",
                                                              "end": "2026-09-03T02:30:00Z", "status": "confirmed"}
    double = post(client, teacher, by_period(lab, day="2026-09-04", period_number=3, period_to=4,
                                             recurrence={"rrule": "FREQ=WEEKLY;COUNT=2"}))
    assert double.status_code == 201, double.get_json()
    assert [(o["start"], o["end"]) for o in double.get_json()["occurrences"]] == [
        ("2026-09-04T01:50:00Z", "2026-09-04T03:20:00Z"), ("2026-09-11T01:50:00Z", "2026-09-11T03:20:00Z")]
    series = db.session.get(Booking, double.get_json()["id"]).series
    assert series.period_number == 3  # the series remembers its period, as a booking from the page does
    clash = post(client, factories.user(), by_period(lab))
    assert clash.status_code == 409 and clash.get_json()["conflicts"][0]["kind"] == "resource_overlap"


@pytest.mark.parametrize("change, field", [
    ({"start": "2026-09-03T09:50:00", "end": "2026-09-03T10:30:00"}, "start"),  # a period or times, not both
    ({"day": None}, "day"),
    ({"period_number": None, "period_to": 4}, "period_number"),
    ({"period_number": 0}, "period_number"),
    ({"period_number": 21}, "period_number"),
    ({"period_number": 12}, "period_number"),  # the owner school rings no 12th period
    ({"period_to": 2}, "period_to"),
    ({"day": "2026-09-31"}, "day"),
])
def test_a_bad_period_is_a_422_naming_the_field(client, teacher, lab, change, field):
    body = {name: value for name, value in by_period(lab, **change).items() if value is not None}
    response = post(client, teacher, body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"], response.get_json()
    assert db.session.query(Booking).count() == 0


def test_the_period_fields_are_documented(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["BookingRequest"]
    assert {"day", "period_number", "period_to"} <= set(schema["properties"])
    assert schema["required"] == ["resource_id", "title"] and schema["dependentRequired"]["period_number"] == ["day"]
