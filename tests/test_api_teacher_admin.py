"""Visiting teachers' profiles, home-school timetables, mandate targets and the visit setting through the API:
the profile pages' services, permissions and messages (booking/api/teacher_admin.py, mandate_targets.py)."""
from __future__ import annotations

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.resources.models import Resource
from booking.teachers.models import Mandate, TeacherBusyTime, TeacherProfile
from booking.teachers.visits import VisitInput, request_visit
from tests import factories
from tests.api_support import assert_documented, bearer
from tests.teacher_support import THURSDAY, district  # noqa: F401  (the fixture)

WEEKDAYS = [{"weekday": day, "opens": "08:00", "closes": "17:00"} for day in range(5)]


def profile_body(district, user, **changes) -> dict:  # noqa: F811
    body = {"user_id": user.id, "home_school_id": district.lead.id, "weekly_cap": 6, "subjects": ["art", "music"],
            "served_school_ids": [district.wangzhuang.id, district.shimen.id], "availability": WEEKDAYS}
    return {**body, **changes}


def audited(action: str) -> int:
    return db.session.query(AuditEntry).filter(AuditEntry.action == action).count()


def test_a_lead_school_admin_creates_and_changes_a_profile(client, district):  # noqa: F811
    headers = bearer(district.lead_admin)
    user = factories.user(school=district.lead, display_name="陈静")
    created = client.post("/api/v1/teacher-profiles", json=profile_body(district, user), headers=headers)
    assert created.status_code == 201, created.get_json()
    shown = created.get_json()
    assert (shown["display_name"], shown["weekly_cap"], shown["subjects"]) == ("陈静", 6, ["art", "music"])
    assert shown["availability"][0] == {"weekday": 0, "opens": "08:00", "closes": "17:00"}
    resource = db.session.get(Resource, shown["resource_id"])
    assert resource.owner_school_id == district.lead.id and audited("teacher.create") == 1
    again = client.post("/api/v1/teacher-profiles", json=profile_body(district, user), headers=headers)
    assert again.status_code == 422 and "already has" in again.get_json()["fields"]["user_id"]
    path = f"/api/v1/teacher-profiles/{shown['id']}"
    changed = client.put(path, json=profile_body(district, user, weekly_cap=9, availability=WEEKDAYS[:2]),
                         headers=headers)
    assert changed.status_code == 200 and changed.get_json()["weekly_cap"] == 9
    assert len(changed.get_json()["availability"]) == 2 and audited("teacher.update") == 1
    assert_documented(client, client.get(path, headers=headers).get_json(), "/teacher-profiles/{profile_id}")
    listed = client.get("/api/v1/teacher-profiles", headers=headers).get_json()["items"]
    assert {p["display_name"] for p in listed} == {"张丽", "王强", "陈静"}  # not 刘芳: another lead school's


def test_who_may_manage_a_profile(client, district):  # noqa: F811
    path = f"/api/v1/teacher-profiles/{district.zhang.id}"
    body = profile_body(district, district.zhang.user)
    other_admin = factories.user(role=Role.SCHOOL_ADMIN, school=district.lead2)
    other_head = factories.user(role=Role.COORDINATOR, district_id=factories.district(name="乙学区").id)
    for outsider in (other_admin, other_head):  # another school's admin, another district's coordinator
        refused = client.put(path, json=body, headers=bearer(outsider))
        assert refused.status_code == 404 and "not one you manage" in refused.get_json()["message"]
        assert client.get(path, headers=bearer(outsider)).status_code == 404
    assert client.put(path, json=body, headers=bearer(district.teacher_a)).status_code == 403  # a teacher
    own_head = factories.user(role=Role.COORDINATOR, district_id=district.lead.district_id)
    assert client.put(path, json={**body, "weekly_cap": 7}, headers=bearer(own_head)).status_code == 200
    stranger = factories.user(school=district.lead2)  # another lead school's teacher, not theirs to attach
    refused = client.post("/api/v1/teacher-profiles", json=profile_body(district, stranger),
                          headers=bearer(district.lead_admin))
    assert refused.status_code == 422 and "school you manage" in refused.get_json()["fields"]["user_id"]
    assert db.session.get(TeacherProfile, district.zhang.id).weekly_cap == 7


def test_bad_profiles_name_the_field_and_save_nothing(client, district):  # noqa: F811
    headers = bearer(district.lead_admin)
    user = factories.user(school=district.lead)
    cases = {"weekly_cap": {"weekly_cap": 0}, "subjects[0]": {"subjects": ["cooking"]},
             "availability[0].closes": {"availability": [{"weekday": 0, "opens": "08:00", "closes": "25:00"}]},
             "served_school_ids": {"served_school_ids": [999999]}, "home_school_id": {"home_school_id": 999999}}
    for field, change in cases.items():
        refused = client.post("/api/v1/teacher-profiles", json=profile_body(district, user, **change), headers=headers)
        assert refused.status_code == 422 and field in refused.get_json()["fields"], (field, refused.get_json())
    backwards = [{"weekday": 0, "opens": "12:00", "closes": "08:00"}]
    refused = client.post("/api/v1/teacher-profiles", json=profile_body(district, user, availability=backwards),
                          headers=headers)
    assert refused.status_code == 422 and "availability" in refused.get_json()["fields"]
    assert db.session.query(TeacherProfile).filter_by(user_id=user.id).count() == 0


def test_availability_that_leaves_a_booked_lesson_outside_is_refused(client, district):  # noqa: F811
    request_visit(district.teacher_a, VisitInput(subject="music", day=THURSDAY, period_number=3, class_name="三年级",
                                                 students=12, resource_id=district.zhang.resource_id))
    db.session.commit()
    mornings_off = [{"weekday": day, "opens": "13:00", "closes": "17:00"} for day in range(5)]
    refused = client.put(f"/api/v1/teacher-profiles/{district.zhang.id}", headers=bearer(district.lead_admin),
                         json=profile_body(district, district.zhang.user, availability=mornings_off,
                                           served_school_ids=[s.id for s in district.zhang.served]))
    assert refused.status_code == 422 and "cancel or move them" in refused.get_json()["fields"]["availability"]
    db.session.expire_all()
    assert db.session.get(TeacherProfile, district.zhang.id).resource.opening_hours[0].opens.hour != 13


def test_home_school_times_are_added_imported_and_removed(client, district):  # noqa: F811
    headers = bearer(district.lead_admin)
    base = f"/api/v1/teacher-profiles/{district.zhang.id}/busy-times"
    added = client.post(base, json={"weekday": 1, "start": "08:00", "end": "08:40", "note": "语文早读",
                                    "term_id": district.term.id}, headers=headers)
    assert added.status_code == 201 and added.get_json()["start"] == "08:00" and audited("teacher.busy.add") == 1
    backwards = client.post(base, json={"weekday": 1, "start": "09:00", "end": "08:00"}, headers=headers)
    assert backwards.status_code == 422 and "after the start" in backwards.get_json()["fields"]["end"]
    unknown_term = client.post(base, json={"weekday": 1, "start": "08:00", "end": "09:00", "term_id": 999999},
                               headers=headers)
    assert unknown_term.status_code == 422 and "term_id" in unknown_term.get_json()["fields"]
    imported = client.post(f"{base}/import", data="1-5 10:40-11:20 三年级音乐\n3 14:00-15:00".encode(),
                           content_type="text/plain", headers=headers)
    assert imported.status_code == 201 and len(imported.get_json()["items"]) == 6
    bad_line = client.post(f"{base}/import", data="1-5 10:40-11:20 ok\nMonday 9-10".encode(),
                           content_type="text/plain", headers=headers)
    assert bad_line.status_code == 422 and "Line 2" in bad_line.get_json()["fields"]["timetable"]
    bad_term = client.post(f"{base}/import?term_id=999999", data=b"1 08:00-09:00", content_type="text/plain",
                           headers=headers)
    assert bad_term.status_code == 422 and "term_id" in bad_term.get_json()["fields"]
    assert db.session.query(TeacherBusyTime).filter_by(profile_id=district.zhang.id).count() == 7
    busy_id = added.get_json()["id"]
    removed = client.delete(f"{base}/{busy_id}", headers=headers)
    assert removed.status_code == 200 and removed.get_json()["id"] == busy_id and audited("teacher.busy.remove") == 1
    assert client.delete(f"{base}/{busy_id}", headers=headers).status_code == 404
    other = client.delete(f"/api/v1/teacher-profiles/{district.liu.id}/busy-times/{busy_id}",
                          headers=bearer(district.lead_admin))
    assert other.status_code == 404  # 刘芳 is another lead school's teacher


def test_mandate_targets_are_set_by_district_coordinators(client, district):  # noqa: F811
    path = f"/api/v1/terms/{district.term.id}/mandates"
    current = client.get(path, headers=bearer(district.lead_admin)).get_json()["mandates"]
    assert [(m["key"], m["required"]) for m in current][0] == ("demonstration-music", 3)
    body = {"mandates": [{"key": m["key"], "required": 4} for m in current]}
    saved = client.put(path, json=body, headers=bearer(district.coordinator))
    assert saved.status_code == 200 and {m["required"] for m in saved.get_json()["mandates"]} == {4}
    assert db.session.query(Mandate).count() == len(current) and audited("mandates.update") == 1
    missing = client.put(path, json={"mandates": body["mandates"][1:]}, headers=bearer(district.coordinator))
    assert missing.status_code == 422 and "demonstration-music" in missing.get_json()["fields"]["mandates"]
    unknown = client.put(path, json={"mandates": [{"key": "cooking-any", "required": 1}] + body["mandates"]},
                         headers=bearer(district.coordinator))
    assert unknown.status_code == 422 and "mandates[0].key" in unknown.get_json()["fields"]
    too_many = client.put(path, json={"mandates": [{**body["mandates"][0], "required": 51}]},
                          headers=bearer(district.coordinator))
    assert too_many.status_code == 422 and "mandates[0].required" in too_many.get_json()["fields"]
    area = factories.user(role=Role.COORDINATOR, area="上片")
    assert client.put(path, json=body, headers=bearer(area)).status_code == 403
    assert client.put(path, json=body, headers=bearer(district.lead_admin)).status_code == 403
    assert client.put("/api/v1/terms/999999/mandates", json=body, headers=bearer(district.coordinator)).status_code \
        == 404


def test_the_visit_setting(client, district):  # noqa: F811
    assert client.get("/api/v1/visit-settings", headers=bearer(district.teacher_a)).get_json() == {
        "auto_confirm": False}
    on = client.put("/api/v1/visit-settings", json={"auto_confirm": True}, headers=bearer(district.coordinator))
    assert on.status_code == 200 and on.get_json() == {"auto_confirm": True} and audited("teacher.settings") == 1
    db.session.expire_all()
    assert not db.session.get(Resource, district.zhang.resource_id).approval_required
    head = factories.user(role=Role.COORDINATOR, district_id=district.lead.district_id)
    for refused in (head, factories.user(role=Role.COORDINATOR, area="上片")):
        answer = client.put("/api/v1/visit-settings", json={"auto_confirm": False}, headers=bearer(refused))
        assert answer.status_code == 403 and "district coordinators" in answer.get_json()["message"]
    wrong = client.put("/api/v1/visit-settings", json={"auto_confirm": "yes"}, headers=bearer(district.coordinator))
    assert wrong.status_code == 422 and "auto_confirm" in wrong.get_json()["fields"]
