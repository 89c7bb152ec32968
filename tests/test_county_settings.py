"""A county's settings per district (issue 17): the fair-shares page and API edit the coordinator's own
district (a county coordinator's chosen one), and the user form and API set a coordinator's district and
staff number, a district's coordinator within their own district only. The world: ``tests/county_support.py``.
"""
from __future__ import annotations

from sqlalchemy import select

from booking.accounts.models import Role, User
from booking.extensions import db
from booking.quotas.models import BookingWindow, QuotaException, TermQuota
from booking.schools.models import Term
from tests.api_support import bearer
from tests.county_support import county_world  # noqa: F401  (fixture)


def sign_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def _windows(district) -> dict:
    return {row.scope_key: row.weak_days for row in db.session.scalars(
        select(BookingWindow).where(BookingWindow.district_id == district.id))}


# --- fair shares ---------------------------------------------------------------------------------

def test_a_district_coordinator_edits_their_own_districts_fair_shares(client, county_world):  # noqa: F811
    world = county_world
    sign_in(client, world.users["head_b"])
    page = client.get("/admin/quotas/").get_data(as_text=True)
    assert "乙体育馆" in page and "甲体育馆" not in page and "乙学区" in page
    response = client.post("/admin/quotas/window", data={"window-scope": "district", "window-weak_days": "21"})
    assert response.status_code == 302
    assert _windows(world.districts["B"]) == {"district": 21} and _windows(world.districts["A"]) == {}
    response = client.post("/admin/quotas/quota", data={"quota-scope": f"resource:{world.resources['a_gym'].id}",
                                                         "quota-hours": "10"})
    assert response.status_code == 422  # district A's gym is not district B's to limit
    response = client.post("/admin/quotas/quota", data={"quota-scope": f"resource:{world.resources['b_gym'].id}",
                                                         "quota-hours": "10"})
    assert response.status_code == 302
    quota = db.session.scalar(select(TermQuota))
    assert quota.district_id == world.districts["B"].id
    term = db.session.scalar(select(Term))  # the county's one calendar, kept on district A's id
    response = client.post("/admin/quotas/exception", data={
        "exception-quota_id": quota.id, "exception-school_id": world.schools["B1"].id,
        "exception-term_id": term.id, "exception-extra_hours": "4", "exception-reason": "竞赛集训"})
    assert response.status_code == 302
    assert db.session.scalar(select(QuotaException)).school_id == world.schools["B1"].id
    assert client.get("/admin/quotas/", query_string={"district": world.districts["A"].id}).status_code == 404


def test_the_county_coordinator_chooses_the_district(client, county_world):  # noqa: F811
    world = county_world
    sign_in(client, world.users["county_coordinator"])
    district_b = world.districts["B"].id
    page = client.get("/admin/quotas/", query_string={"district": district_b}).get_data(as_text=True)
    assert "乙体育馆" in page and "甲体育馆" not in page
    response = client.post(f"/admin/quotas/window?district={district_b}",
                           data={"window-scope": "district", "window-weak_days": "14"})
    assert response.status_code == 302 and f"district={district_b}" in response.headers["Location"]
    assert _windows(world.districts["B"]) == {"district": 14}
    assert "甲体育馆" in client.get("/admin/quotas/").get_data(as_text=True)  # none chosen: the first district


def test_an_area_coordinator_sets_no_fair_shares(client, county_world):  # noqa: F811
    sign_in(client, county_world.users["area_b"])
    assert client.get("/admin/quotas/").status_code == 200
    assert client.post("/admin/quotas/window", data={"window-scope": "district", "window-weak_days": "3"}
                       ).status_code == 403


def test_the_fair_shares_api_is_scoped_the_same_way(client, county_world):  # noqa: F811
    world = county_world
    head, county = bearer(world.users["head_b"]), bearer(world.users["county_coordinator"])
    district_a, district_b = world.districts["A"].id, world.districts["B"].id
    response = client.put("/api/v1/fair-shares/windows", json={"weak_days": 7}, headers=head)
    assert response.status_code == 200
    assert _windows(world.districts["B"]) == {"district": 7}
    response = client.put("/api/v1/fair-shares/windows", json={"weak_days": 9}, headers=county,
                          query_string={"district": district_a})
    assert response.status_code == 200 and _windows(world.districts["A"]) == {"district": 9}
    assert client.get("/api/v1/fair-shares", headers=head).get_json()["windows"][0]["weak_days"] == 7
    assert client.get("/api/v1/fair-shares", headers=head, query_string={"district": district_a}).status_code == 404
    assert client.get("/api/v1/fair-shares", headers=county,
                      query_string={"district": district_b}).get_json()["windows"][0]["weak_days"] == 7
    area = bearer(world.users["area_b"])
    assert client.put("/api/v1/fair-shares/windows", json={"weak_days": 1}, headers=area).status_code == 403


# --- accounts ------------------------------------------------------------------------------------

def _new_coordinator(client, district: str, **extra):
    return client.post("/admin/users/new", data={
        "email": "new.head@example.cn", "display_name": "新学区长", "role": "coordinator", "school": "",
        "area": "", "district": district, "locale": "zh_CN", "password": "long-enough-1", **extra})


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_county_coordinator_sets_a_coordinators_district_and_staff_number(client, county_world):  # noqa: F811
    world = county_world
    sign_in(client, world.users["county_coordinator"])
    response = _new_coordinator(client, str(world.districts["B"].id), staff_number=" T-0042 ")
    assert response.status_code == 302
    made = _user("new.head@example.cn")
    assert made.district_id == world.districts["B"].id and made.staff_number == "T-0042"
    page = client.get(f"/admin/users/{made.id}").get_data(as_text=True)
    assert "T-0042" in page and "甲学区" in page  # any district may be chosen
    response = client.post(f"/admin/users/{made.id}", data={
        "email": made.email, "display_name": made.display_name, "role": "coordinator", "school": "", "area": "",
        "district": "", "locale": "zh_CN", "staff_number": "", "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert made.district_id is None and made.staff_number is None  # now a county coordinator


def test_a_district_coordinator_gives_only_their_own_district(client, county_world):  # noqa: F811
    world = county_world
    sign_in(client, world.users["head_b"])
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "乙学区" in page and "甲学区" not in page
    assert _new_coordinator(client, str(world.districts["A"].id)).status_code == 422
    assert _new_coordinator(client, "").status_code == 422  # no county coordinators from a district
    assert _user("new.head@example.cn") is None
    assert _new_coordinator(client, str(world.districts["B"].id)).status_code == 302
    assert _user("new.head@example.cn").district_id == world.districts["B"].id


def test_a_staff_number_is_one_persons(client, county_world):  # noqa: F811
    world = county_world
    world.users["teacher_b"].staff_number = "B-001"
    db.session.commit()
    sign_in(client, world.users["county_coordinator"])
    response = _new_coordinator(client, "", staff_number="B-001")
    assert response.status_code == 422 and "B-001" in response.get_data(as_text=True)


def test_the_users_api_does_what_the_form_does(client, county_world):  # noqa: F811
    world = county_world
    head, county = bearer(world.users["head_b"]), bearer(world.users["county_coordinator"])
    body = {"email": "api.head@example.cn", "display_name": "接口学区长", "role": "coordinator",
            "password": "long-enough-1", "staff_number": "S-9"}
    response = client.post("/api/v1/users", json={**body, "district_id": world.districts["A"].id}, headers=head)
    assert response.status_code == 422 and "district_id" in response.get_json()["fields"]
    response = client.post("/api/v1/users", json=body, headers=head)
    assert response.status_code == 201, response.get_json()
    made = response.get_json()
    assert made["district_id"] == world.districts["B"].id and made["staff_number"] == "S-9" and made["active"]
    response = client.patch(f"/api/v1/users/{made['id']}", json={"district_id": None}, headers=head)
    assert response.status_code == 422 and "district_id" in response.get_json()["fields"]
    response = client.patch(f"/api/v1/users/{made['id']}", json={"district_id": world.districts["A"].id},
                            headers=county)
    assert response.status_code == 200 and response.get_json()["district_id"] == world.districts["A"].id
    assert client.patch(f"/api/v1/users/{made['id']}", json={"display_name": "x"}, headers=head).status_code == 404
    teacher_a = world.users["teacher_a"]
    assert client.patch(f"/api/v1/users/{teacher_a.id}", json={"locale": "en"}, headers=head).status_code == 404
    response = client.patch(f"/api/v1/users/{teacher_a.id}", json={"school_id": 999999}, headers=county)
    assert response.status_code == 422 and "school_id" in response.get_json()["fields"]


def test_the_county_keeps_its_last_county_coordinator(client, county_world):  # noqa: F811
    world = county_world
    other = client.post("/api/v1/users", headers=bearer(world.users["county_coordinator"]), json={
        "email": "second@example.cn", "display_name": "二号", "role": "coordinator", "password": "long-enough-1",
        "district_id": world.districts["B"].id})
    assert other.status_code == 201
    response = client.patch(f"/api/v1/users/{world.users['county_coordinator'].id}",
                            json={"district_id": world.districts["B"].id},
                            headers=bearer(world.users["county_coordinator"]))
    assert response.status_code == 422
    assert db.session.get(User, world.users["county_coordinator"].id).district_id is None
    assert db.session.scalar(select(User).where(User.role == Role.COORDINATOR, User.district_id.is_(None))) \
        is not None
