"""GET /api/v1/resources and /api/v1/resources/<id>: visibility, strict filters, paging, full detail."""
from datetime import datetime, time, timezone

from booking import clock
from booking.accounts.models import Role
from booking.resources.models import Category, ResourceKind, Sharing
from tests import factories
from tests.api_support import assert_documented, get_json


def names(body) -> set[str]:
    return {item["name"] for item in body["items"]}


def test_listing_shows_shared_and_own_school_resources_only(client):
    teacher = factories.user()
    other = factories.school()
    factories.resource(owner_school=teacher.school, name="本校实验室", sharing=Sharing.OWN_SCHOOL)
    factories.resource(owner_school=other, name="共享体育馆", category=Category.GYM)
    factories.resource(owner_school=other, name="他校专用室", sharing=Sharing.OWN_SCHOOL)
    factories.resource(owner_school=other, name="已停用", active=False)
    body = get_json(client, "/api/v1/resources", teacher)
    assert names(body) == {"本校实验室", "共享体育馆"} and body["total"] == 2
    assert_documented(client, body, "/resources")
    coordinator = factories.user(role=Role.COORDINATOR)
    assert "他校专用室" in names(get_json(client, "/api/v1/resources", coordinator))


def test_filters_by_kind_category_school_and_name(client):
    teacher = factories.user()
    other = factories.school()
    factories.resource(owner_school=teacher.school, name="物理实验室")
    factories.resource(owner_school=other, name="篮球馆", category=Category.GYM)
    factories.resource(owner_school=other, name="显微镜", kind=ResourceKind.EQUIPMENT,
                       category=Category.EQUIPMENT_KIT, capacity=None, stock=10)
    assert names(get_json(client, "/api/v1/resources?kind=equipment", teacher)) == {"显微镜"}
    assert names(get_json(client, "/api/v1/resources?category=gym", teacher)) == {"篮球馆"}
    assert names(get_json(client, f"/api/v1/resources?school={other.id}", teacher)) == {"篮球馆", "显微镜"}
    assert names(get_json(client, "/api/v1/resources?q=实验", teacher)) == {"物理实验室"}
    assert names(get_json(client, "/api/v1/resources?q=", teacher)) == {"物理实验室", "篮球馆", "显微镜"}
    # An empty number or choice is a mistake, not "all": a script that lost its value must hear of it.
    assert set(get_json(client, "/api/v1/resources?kind=&school=", teacher, status=422)["fields"]) == {"kind", "school"}


def test_bad_filters_are_422_naming_each_parameter(client):
    teacher = factories.user()
    body = get_json(client, "/api/v1/resources?kind=labs&category=pool&school=abc", teacher, status=422)
    assert body["error"] == "invalid" and set(body["fields"]) == {"kind", "category", "school"}
    assert "facility" in body["fields"]["kind"]
    assert "school" in get_json(client, "/api/v1/resources?school=99999999999999999999", teacher, status=422)["fields"]
    body = get_json(client, "/api/v1/resources?school=99999", teacher, status=422)
    assert set(body["fields"]) == {"school"} and "99999" in body["fields"]["school"]
    assert set(get_json(client, "/api/v1/resources?kind=lab&kind=gym", teacher, status=422)["fields"]) == {"kind"}
    assert_documented(client, body, "/resources", status="422")


def test_bad_paging_is_422(client):
    teacher = factories.user()
    for query in ("limit=0", "limit=201", "limit=ten", "offset=-1", "limit=1.5", "offset=--5",
                  "offset=99999999999999999999"):
        body = get_json(client, f"/api/v1/resources?{query}", teacher, status=422)
        assert list(body["fields"]) == [query.split("=")[0]], query


def test_paging_with_total(client):
    teacher = factories.user()
    for n in range(5):
        factories.resource(owner_school=teacher.school, name=f"教室{n}")
    first = get_json(client, "/api/v1/resources?limit=2", teacher)
    last = get_json(client, "/api/v1/resources?limit=2&offset=4", teacher)
    assert (first["total"], first["limit"], first["offset"], len(first["items"])) == (5, 2, 0, 2)
    assert len(last["items"]) == 1 and last["total"] == 5
    every = get_json(client, "/api/v1/resources", teacher)
    assert [item["name"] for item in every["items"]][4] == last["items"][0]["name"]


def test_detail_has_every_field(client):
    clock.freeze(datetime(2026, 9, 1, 0, 30, tzinfo=timezone.utc))
    teacher = factories.user()
    lab = factories.resource(owner_school=teacher.school, name="化学实验室", subject="chemistry", location="二楼",
                             approval_required=True, min_duration_minutes=40, max_duration_minutes=120,
                             max_advance_days=30, capacity=48)
    body = get_json(client, f"/api/v1/resources/{lab.id}", teacher)
    assert body["owner_school"] == {"id": teacher.school.id, "code": teacher.school.code,
                                    "name": teacher.school.name}
    assert body["rules"] == {"sharing": "district", "approval_required": True, "min_duration_minutes": 40,
                             "max_duration_minutes": 120, "max_advance_days": 30, "waitlist_weak_first": False,
                             "outside_term": "confirm"}
    assert body["opening_hours"][0] == {"weekday": 0, "opens": "08:00", "closes": "17:00"}
    assert len(body["opening_hours"]) == 5
    assert (body["capacity"], body["stock"], body["active"], body["kind"]) == (48, 1, True, "facility")
    assert body["created_at"] == "2026-09-01T00:30:00Z"
    assert_documented(client, body, "/resources/{resource_id}")


def test_opening_hours_are_local_wall_clock(client):
    teacher = factories.user()
    gym = factories.resource(owner_school=teacher.school, hours=False)
    from booking.extensions import db
    from booking.resources.models import OpeningHours

    db.session.add(OpeningHours(resource_id=gym.id, weekday=2, opens=time(7, 5), closes=time(21, 30)))
    db.session.commit()
    hours = get_json(client, f"/api/v1/resources/{gym.id}", teacher)["opening_hours"]
    assert hours == [{"weekday": 2, "opens": "07:05", "closes": "21:30"}]


def test_hidden_and_unknown_resources_are_404_json(client):
    teacher = factories.user()
    hidden = factories.resource(sharing=Sharing.OWN_SCHOOL)
    body = get_json(client, f"/api/v1/resources/{hidden.id}", teacher, status=404)
    assert body["error"] == "not_found"
    get_json(client, "/api/v1/resources/999999", teacher, status=404)
    get_json(client, "/api/v1/resources/99999999999999999999", teacher, status=404)  # beyond any integer column
    get_json(client, f"/api/v1/resources/{hidden.id}", factories.user(role=Role.COORDINATOR))
