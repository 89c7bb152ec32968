"""Fair shares in the JSON API: settings by coordinators, exceptions, a school's standing, refusal kinds."""

import pytest

from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.extensions import db
from tests import factories
from tests.api_support import assert_documented, bearer, get_json
from tests.booking_support import freeze, local


@pytest.fixture
def setup(app):
    freeze()  # 1 September 2026
    lead = factories.school(name="新天寄宿制小学", is_lead=True)
    weak = factories.school(name="村小", is_weak=True, enrollment=200)
    lab = factories.resource(name="物理实验室", owner_school=lead)
    return dict(lead=lead, weak=weak, lab=lab, term=factories.term(),
                coordinator=factories.user(role=Role.COORDINATOR),
                lead_teacher=factories.user(school=lead), weak_teacher=factories.user(school=weak))


def put(client, path, body, user):
    return client.put(f"/api/v1{path}", json=body, headers=bearer(user))


def book(client, user, lab, day, hour=10):
    return client.post("/api/v1/bookings", headers=bearer(user), json={
        "resource_id": lab.id, "title": "实验", "start": local(9, day, hour).isoformat(),
        "end": local(9, day, hour + 1).isoformat()})


def test_coordinators_set_a_window_and_teachers_are_refused_with_the_opening_day(client, setup):
    s = setup
    response = put(client, "/fair-shares/windows", {"weak_days": 28, "other_days": 14}, s["coordinator"])
    assert response.status_code == 200 and response.get_json()["window"]["weak_days"] == 28
    db.session.commit()
    assert book(client, s["weak_teacher"], s["lab"], 21).status_code == 201
    refused = book(client, s["lead_teacher"], s["lab"], 22)
    assert refused.status_code == 409
    [conflict] = refused.get_json()["conflicts"]
    assert conflict["kind"] == "not_open_yet" and "2026年9月8日" in conflict["message"]


def test_a_quota_refusal_is_its_own_kind_and_an_exception_lifts_it(client, setup):
    s = setup
    response = put(client, "/fair-shares/quotas", {"resource_id": s["lab"].id, "hours_per_100": 0.5}, s["coordinator"])
    quota_id = response.get_json()["quota"]["id"]
    assert book(client, s["weak_teacher"], s["lab"], 3).status_code == 201  # 200 students: 1 hour
    refused = book(client, s["weak_teacher"], s["lab"], 4)
    assert refused.status_code == 409 and refused.get_json()["conflicts"][0]["kind"] == "quota"
    standing = get_json(client, f"/api/v1/resources/{s['lab'].id}/fair-share", s["weak_teacher"])
    assert standing["quotas"][0]["used_hours"] == 1 and standing["quotas"][0]["limit_hours"] == 1
    assert_documented(client, standing, "/resources/{resource_id}/fair-share")
    granted = client.post("/api/v1/fair-shares/exceptions", headers=bearer(s["coordinator"]), json={
        "quota_id": quota_id, "school_id": s["weak"].id, "term_id": s["term"].id, "extra_hours": 1, "reason": "竞赛"})
    assert granted.status_code == 201
    assert book(client, s["weak_teacher"], s["lab"], 4).status_code == 201
    assert db.session.query(AuditEntry).filter_by(action="quota.exception").count() == 1
    settings = get_json(client, "/api/v1/fair-shares", s["coordinator"])
    assert [e["reason"] for e in settings["exceptions"]] == ["竞赛"]
    assert_documented(client, settings, "/fair-shares")


def test_teachers_and_area_coordinators_may_not_change_the_settings(client, setup):
    s = setup
    assert put(client, "/fair-shares/windows", {"weak_days": 1}, s["weak_teacher"]).status_code == 403
    area = factories.user(role=Role.COORDINATOR, area="上片")
    assert put(client, "/fair-shares/quotas", {"category": "lab", "hours": 1}, area).status_code == 403
    answer = put(client, "/fair-shares/quotas", {"category": "lab", "resource_id": s["lab"].id, "hours": 1},
                 s["coordinator"])
    assert answer.status_code == 422 and "scope" in answer.get_json()["fields"]
    other = client.get(f"/api/v1/resources/{s['lab'].id}/fair-share?school={s['lead'].id}",
                       headers=bearer(s["weak_teacher"]))
    assert other.status_code == 403


def test_whole_numbers_written_with_a_point_are_whole_numbers(client, setup):
    """JSON Schema counts 28.0 as an integer, so the API takes it (found by the fuzzer)."""
    s = setup
    answer = put(client, "/fair-shares/windows", {"resource_id": float(s["lab"].id), "weak_days": 28.0}, s["coordinator"])
    assert answer.status_code == 200 and answer.get_json()["window"] == {
        "id": answer.get_json()["window"]["id"], "category": None, "resource_id": s["lab"].id, "weak_days": 28,
        "other_days": None, "owner_days": None}
