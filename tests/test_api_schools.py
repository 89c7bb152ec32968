"""GET /api/v1/schools and /api/v1/schools/<id>: the district's schools, bell times and travel minutes."""
from booking.schools.models import Stage
from tests import factories
from tests.api_support import assert_documented, get_json


def test_list_shows_active_schools_lead_first(client):
    lead = factories.school(code="A-LEAD", name="新天寄宿制小学", is_lead=True, enrollment=900)
    weak = factories.school(code="B-WEAK", name="上庄小学", is_weak=True, lead_school_id=lead.id,
                            stage=Stage.KINDERGARTEN)
    factories.school(code="C-OLD", active=False)
    teacher = factories.user(school=weak)
    body = get_json(client, "/api/v1/schools", teacher)
    assert [item["code"] for item in body["items"]] == ["A-LEAD", "B-WEAK"]
    assert body["items"][1] == {
        "id": weak.id, "code": "B-WEAK", "name": "上庄小学", "stage": "kindergarten", "enrollment": 120,
        "is_lead": False, "is_weak": True, "lead_school_id": lead.id, "area": "上片", "active": True,
    }
    assert_documented(client, body, "/schools")


def test_detail_has_bell_periods_and_travel_to_every_other_school(client):
    home = factories.school()
    near = factories.school()
    unmeasured = factories.school()
    factories.travel(near, home, 25)  # stored as an unordered pair; direction must not matter
    body = get_json(client, f"/api/v1/schools/{home.id}", factories.user(school=home))
    assert body["travel_minutes"] == {str(near.id): 25, str(unmeasured.id): None}
    assert body["bell_periods"][0] == {"number": 1, "start_time": "08:00", "end_time": "08:40"}
    assert [bell["number"] for bell in body["bell_periods"]] == [1, 2, 3, 4, 5, 6]
    assert body["code"] == home.code
    assert_documented(client, body, "/schools/{school_id}")
    other = get_json(client, f"/api/v1/schools/{near.id}", factories.user(school=home))
    assert other["travel_minutes"][str(home.id)] == 25


def test_unknown_school_is_404_json(client):
    body = get_json(client, "/api/v1/schools/424242", factories.user(), status=404)
    assert body["error"] == "not_found"
    get_json(client, "/api/v1/schools/99999999999999999999", factories.user(), status=404)


def test_schools_need_authentication(client):
    assert get_json(client, "/api/v1/schools", status=401)["error"] == "unauthorized"
