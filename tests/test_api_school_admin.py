"""Administering schools, bells, travel times and adding resources through the API (issue #18): the pages'
services, permissions and messages, and every change a compare-and-set on what the caller read."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools import services, travel
from booking.schools.models import School, TravelTime
from tests import factories
from tests.api_support import bearer, get_json

NEW = {"code": "XT01", "name": "新天寄宿制小学", "stage": "primary", "enrollment": 860, "area": "上片"}


@pytest.fixture
def coordinator(app):
    return factories.user(role=Role.COORDINATOR)


@pytest.fixture
def other_head(app):
    """A district head of another district: manages none of the default district's schools."""
    factories.district()  # the default district first: the factories' schools go there
    return factories.user(role=Role.COORDINATOR, district_id=factories.district(name="乙学区").id)


def detail(client, school: School, user) -> dict:
    return get_json(client, f"/api/v1/schools/{school.id}", user)


def actions() -> list[str]:
    """What was audited, besides the tests' own tokens."""
    return list(db.session.scalars(db.select(AuditEntry.action).where(AuditEntry.action != "token.issue")
                                   .order_by(AuditEntry.id)))


def as_put(detail_body: dict, **changes) -> dict:
    """A PUT /schools/{id} body: the school as read, with ``changes``."""
    keys = ("code", "name", "stage", "enrollment", "is_lead", "is_weak", "lead_school_id", "area", "address",
            "version")
    return {**{key: detail_body[key] for key in keys}, **changes}


def test_a_coordinator_adds_a_school_tied_to_a_lead_school(client, coordinator):
    lead = factories.school(code="LEAD", is_lead=True)
    answer = client.post("/api/v1/schools", json={**NEW, "lead_school_id": lead.id}, headers=bearer(coordinator))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert (body["code"], body["lead_school_id"], body["enrollment"], body["version"]) == ("XT01", lead.id, 860, 1)
    assert db.session.get(School, body["id"]).name == "新天寄宿制小学" and actions() == ["school.create"]


@pytest.mark.parametrize("changes, field, words", [
    ({"code": "bad code"}, "code", "letters, digits"),
    ({"code": "TAKEN"}, "code", "already exists"),
    ({"lead_school_id": 999999}, "lead_school_id", "999999"),
    ({"stage": "college"}, "stage", "primary"),
    ({"enrollment": -1}, "enrollment", "0 to"),
])
def test_bad_new_schools_are_422_naming_the_field(client, coordinator, changes, field, words):
    factories.school(code="TAKEN")
    answer = client.post("/api/v1/schools", json={**NEW, **changes}, headers=bearer(coordinator))
    assert answer.status_code == 422 and field in answer.get_json()["fields"], answer.get_json()
    assert words in answer.get_json()["fields"][field]
    assert db.session.scalar(db.select(School).where(School.code == "XT01")) is None


def test_an_area_coordinator_adds_schools_to_their_own_area_only(client):
    area = factories.user(role=Role.COORDINATOR, area="下片")
    answer = client.post("/api/v1/schools", json={key: v for key, v in NEW.items() if key != "area"},
                         headers=bearer(area))
    assert answer.status_code == 201 and answer.get_json()["area"] == "下片"  # the page's default: their area
    refused = client.post("/api/v1/schools", json={**NEW, "code": "XT02"}, headers=bearer(area))
    assert refused.status_code == 422 and "下片" in refused.get_json()["fields"]["area"]


def test_teachers_and_school_admins_may_not_administer_schools(client):
    school = factories.school()
    for role in (Role.TEACHER, Role.SCHOOL_ADMIN):
        headers = bearer(factories.user(role=role, school=school))
        assert client.post("/api/v1/schools", json=NEW, headers=headers).status_code == 403
        assert client.put(f"/api/v1/schools/{school.id}/active", json={"active": False, "version": 1},
                          headers=headers).status_code == 403


def test_changing_a_school_names_the_version_it_was_read_at(client, coordinator):
    school = factories.school(code="OLD")
    read = detail(client, school, coordinator)
    path = f"/api/v1/schools/{school.id}"
    changed = client.put(path, json=as_put(read, name="改名小学", is_weak=True), headers=bearer(coordinator))
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["name"], changed.get_json()["is_weak"]) == ("改名小学", True)
    assert changed.get_json()["version"] == read["version"] + 1
    stale = client.put(path, json=as_put(read, name="又改名"), headers=bearer(coordinator))
    assert stale.status_code == 409 and stale.get_json()["error"] == "stale_version"
    assert stale.get_json()["version"] == read["version"] + 1 and db.session.get(School, school.id).name == "改名小学"
    bad = client.put(path, json=as_put(changed.get_json(), name=""), headers=bearer(coordinator))
    assert bad.status_code == 422 and "name" in bad.get_json()["fields"]


def test_another_districts_coordinator_finds_no_school_to_change(client, coordinator, other_head):
    school = factories.school()
    read = detail(client, school, coordinator)
    headers = bearer(other_head)
    for path, body in ((f"/api/v1/schools/{school.id}", as_put(read, name="x")),
                       (f"/api/v1/schools/{school.id}/active", {"active": False, "version": read["version"]}),
                       (f"/api/v1/schools/{school.id}/bells", {"periods": [], "version": read["version"]}),
                       (f"/api/v1/schools/{school.id}/travel", {"travel": []})):
        assert client.put(path, json=body, headers=headers).status_code == 404, path
    assert db.session.get(School, school.id).active and actions() == []


def test_deactivating_a_lead_school_waits_for_its_tied_schools(client, coordinator):
    lead = factories.school(is_lead=True)
    tied = factories.school(lead_school_id=lead.id)
    headers = bearer(coordinator)
    version = detail(client, lead, coordinator)["version"]
    refused = client.put(f"/api/v1/schools/{lead.id}/active", json={"active": False, "version": version},
                         headers=headers)
    assert refused.status_code == 422 and "active" in refused.get_json()["fields"]
    tied_version = detail(client, tied, coordinator)["version"]
    done = client.put(f"/api/v1/schools/{tied.id}/active", json={"active": False, "version": tied_version},
                      headers=headers)
    assert done.status_code == 200 and done.get_json()["active"] is False
    again = client.put(f"/api/v1/schools/{tied.id}/active", json={"active": True, "version": tied_version},
                       headers=headers)
    assert again.status_code == 409 and actions() == ["school.deactivate"]


def test_a_bell_schedule_is_replaced_whole_and_makes_a_new_version(client, coordinator):
    school = factories.school()
    read = detail(client, school, coordinator)
    path = f"/api/v1/schools/{school.id}/bells"
    periods = [{"start_time": "08:00", "end_time": "08:45"}, {"start_time": "08:55", "end_time": "09:40"}]
    saved = client.put(path, json={"periods": periods, "version": read["version"]}, headers=bearer(coordinator))
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["bell_periods"] == [{"number": 1, "start_time": "08:00", "end_time": "08:45"},
                                                {"number": 2, "start_time": "08:55", "end_time": "09:40"}]
    assert saved.get_json()["version"] == read["version"] + 1
    stale = client.put(path, json={"periods": periods[:1], "version": read["version"]}, headers=bearer(coordinator))
    assert stale.status_code == 409 and len(db.session.get(School, school.id).bell_periods) == 2
    overlapping = [periods[0], {"start_time": "08:30", "end_time": "09:00"}]
    bad = client.put(path, json={"periods": overlapping, "version": saved.get_json()["version"]},
                     headers=bearer(coordinator))
    assert bad.status_code == 422 and "next period" in bad.get_json()["fields"]["periods[0].end_time"]
    empty = client.put(path, json={"periods": [], "version": saved.get_json()["version"]}, headers=bearer(coordinator))
    assert empty.status_code == 422 and "periods" in empty.get_json()["fields"]


def test_a_school_changed_under_a_write_loses_the_compare_and_set(app, coordinator):
    """The version check in the UPDATE itself: a change from a version someone else replaced meanwhile fails."""
    school = factories.school()
    assert school.version == 1  # read: the session holds version 1
    db.session.execute(text("UPDATE schools SET version = version + 1 WHERE id = :id"), {"id": school.id})
    data = services.SchoolInput(school.code, "并发改名", school.stage.value, area=school.area)
    with pytest.raises(StaleDataError):
        services.update_school(school, data, coordinator)
    db.session.rollback()


def test_travel_pairs_are_a_compare_and_set_of_the_minutes_read(client, coordinator):
    a, b, c = factories.school(), factories.school(), factories.school()
    factories.travel(a, b, 20)
    headers = bearer(coordinator)
    pairs = [{"school_a_id": b.id, "school_b_id": a.id, "minutes": 25, "previous_minutes": 20},
             {"school_a_id": a.id, "school_b_id": c.id, "minutes": 40, "previous_minutes": None}]
    saved = client.put("/api/v1/travel-times", json={"pairs": pairs}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    assert {(p["school_a_id"], p["school_b_id"], p["minutes"]) for p in saved.get_json()["items"]} == {
        (a.id, b.id, 25), (a.id, c.id, 40)}
    stale = client.put("/api/v1/travel-times", json={"pairs": [{**pairs[1], "minutes": 45}]}, headers=headers)
    assert stale.status_code == 409 and stale.get_json()["error"] == "travel_changed"
    assert stale.get_json()["current"] == [{"school_a_id": a.id, "school_b_id": c.id, "minutes": 40}]
    assert db.session.get(TravelTime, (a.id, c.id)).minutes == 40 and actions() == ["travel.update"]
    same = client.put("/api/v1/travel-times", json={"pairs": [{**pairs[1], "school_b_id": a.id}]}, headers=headers)
    assert same.status_code == 422 and "pairs[0]" in same.get_json()["fields"]


def test_travel_between_schools_one_does_not_manage_is_403(client, coordinator, other_head):
    a, b = factories.school(), factories.school()
    pair = {"school_a_id": a.id, "school_b_id": b.id, "minutes": 10, "previous_minutes": None}
    refused = client.put("/api/v1/travel-times", json={"pairs": [pair]}, headers=bearer(other_head))
    assert refused.status_code == 403 and "pairs[0]" in refused.get_json()["fields"]
    teacher = factories.user(school=a)
    assert client.put("/api/v1/travel-times", json={"pairs": [pair]}, headers=bearer(teacher)).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(TravelTime)) == 0


def test_one_schools_travel_row(client, coordinator):
    home, near = factories.school(), factories.school()
    closed = factories.school(active=False)
    path, headers = f"/api/v1/schools/{home.id}/travel", bearer(coordinator)
    row = {"school_id": near.id, "minutes": 15, "previous_minutes": None}
    saved = client.put(path, json={"travel": [row]}, headers=headers)
    assert saved.status_code == 200 and saved.get_json()["travel_minutes"][str(near.id)] == 15
    assert get_json(client, "/api/v1/travel-times", coordinator)["items"] == [
        {"school_a_id": home.id, "school_b_id": near.id, "minutes": 15}]
    inactive = client.put(path, json={"travel": [{**row, "school_id": closed.id}]}, headers=headers)
    assert inactive.status_code == 422 and "deactivated" in inactive.get_json()["fields"]["travel[0].school_id"]


RESOURCE = {"kind": "facility", "category": "lab", "subject": "physics", "name": "物理实验室", "capacity": 48}


def test_a_school_admin_adds_a_resource_of_their_school(client):
    admin = factories.user(role=Role.SCHOOL_ADMIN)
    answer = client.post("/api/v1/resources", json={**RESOURCE, "owner_school_id": admin.school_id},
                         headers=bearer(admin))
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert (body["name"], body["owner_school"]["id"], body["rules"]["sharing"]) == ("物理实验室", admin.school_id,
                                                                                   "district")
    assert [(h["weekday"], h["opens"], h["closes"]) for h in body["opening_hours"]] == [
        (day, "08:00", "17:00") for day in range(5)]  # the form's default hours
    assert db.session.get(Resource, body["id"]).capacity == 48 and actions() == ["resource.create"]


def test_new_resources_follow_the_resource_rules_and_the_schools_one_manages(client, other_head):
    admin = factories.user(role=Role.SCHOOL_ADMIN)
    headers, own = bearer(admin), {**RESOURCE, "owner_school_id": admin.school_id}
    no_subject = client.post("/api/v1/resources", json={**own, "subject": ""}, headers=headers)
    assert no_subject.status_code == 422 and "physics" in no_subject.get_json()["fields"]["subject"]
    no_capacity = client.post("/api/v1/resources", json={**own, "capacity": None}, headers=headers)
    assert no_capacity.status_code == 422 and "capacity" in no_capacity.get_json()["fields"]
    other = {**RESOURCE, "owner_school_id": factories.school().id}
    assert client.post("/api/v1/resources", json=other, headers=headers).status_code == 403
    assert client.post("/api/v1/resources", json=own, headers=bearer(other_head)).status_code == 403
    teacher = factories.user(school=admin.school)
    assert client.post("/api/v1/resources", json=own, headers=bearer(teacher)).status_code == 403
    unknown = client.post("/api/v1/resources", json={**RESOURCE, "owner_school_id": 999999}, headers=headers)
    assert unknown.status_code == 422 and "999999" in unknown.get_json()["fields"]["owner_school_id"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Resource)) == 0


def test_a_pair_stored_by_someone_else_between_the_read_and_the_insert_is_a_conflict(app, coordinator, monkeypatch):
    """The insert of a pair read as missing meets the other writer's row: TravelChanged, nothing of it kept."""
    a, b = factories.school(), factories.school()
    factories.travel(a, b, 30)  # committed by the other writer after this one read an empty matrix
    monkeypatch.setattr(travel, "_stored_travel", lambda lock: {})
    with pytest.raises(travel.TravelChanged) as changed:
        travel.set_travel_times({(a.id, b.id): 10}, coordinator, previous={(a.id, b.id): None})
    assert changed.value.current == {(a.id, b.id): 30}
    db.session.rollback()
    assert db.session.get(TravelTime, (a.id, b.id)).minutes == 30


def test_a_district_head_adds_schools_to_their_own_district(client, other_head):
    answer = client.post("/api/v1/schools", json=NEW, headers=bearer(other_head))
    assert answer.status_code == 201, answer.get_json()
    school = db.session.get(School, answer.get_json()["id"])
    assert school.district_id == other_head.district_id  # so they manage what they added
    assert detail(client, school, other_head)["code"] == "XT01"
