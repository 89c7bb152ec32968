"""Role × endpoint family across districts (issue 17, item 2): a county coordinator sees and manages every
district; district B's coordinator, area coordinator, school admin and teacher see district B and what the
county shares (the 青少年活动中心's hall), never district A's bookings, resources, schools or accounts — in the
pages, the API, the calendar feeds and the exports. The world: ``tests/county_support.py``.
"""
from __future__ import annotations

import csv
import io

import pytest

from booking.bookings.models import Booking
from booking.calendars.shaping import booking_uid
from booking.extensions import db
from booking.resources.models import Resource
from tests.api_support import bearer
from tests.conftest import sign_in
from tests.feeds_support import feed_uids
from tests.world_support import reading
from tests.matrix_support import api_approve, api_book, api_feed, api_utilization_names, names, present

ROLES = ("county_coordinator", "head_b", "area_b", "admin_b", "teacher_b")
WEEK = {"start": "2026-09-01", "end": "2026-09-11"}
ALL_TITLES = frozenset({"甲学区请求", "甲自用", "乙学区预约", "甲到中心", "乙到中心"})
# District A's booking at the centre (shared with all) is A's: B sees that time as busy, never whose it is.
B_TITLES = frozenset({"乙学区预约", "乙到中心"})
ALL_RESOURCES = frozenset({"甲体育馆", "甲自用实验室", "乙体育馆", "活动中心报告厅"})
B_RESOURCES = frozenset({"乙体育馆", "活动中心报告厅"})
ALL_SCHOOLS = frozenset({"甲一小学", "甲二小学", "乙一小学"})
OWNERS = frozenset({"甲一小学", "乙一小学"})  # utilisation names the schools owning resources
A_ONLY = ("a_request", "a_own")


# --- API -----------------------------------------------------------------------------------------

def api_bookings(client, world, headers):
    return names(client.get("/api/v1/bookings", headers=headers, query_string={"limit": 200}), "title")


def api_district_a_booking_details(client, world, headers):
    return tuple(client.get(f"/api/v1/bookings/{world.bookings[key].id}", headers=headers).status_code
                 for key in A_ONLY)


def api_resources(client, world, headers):
    return names(client.get("/api/v1/resources", headers=headers, query_string={"limit": 200}))


def api_availability_of_district_a_gym(client, world, headers):
    return client.get(f"/api/v1/resources/{world.resources['a_gym'].id}/availability", headers=headers,
                      query_string={"start": "2026-09-01T00:00:00", "end": "2026-09-05T00:00:00"}).status_code


def api_schools(client, world, headers):
    return names(client.get("/api/v1/schools", headers=headers))


def api_school_a1_and_the_travel_pairs(client, world, headers):
    """A1's record (its enrollment, address, bells), and the pairs of the travel matrix, by school key."""
    keys = {school.id: key for key, school in world.schools.items()}
    pairs = client.get("/api/v1/travel-times", headers=headers).get_json()["items"]
    return (client.get(f"/api/v1/schools/{world.schools['A1'].id}", headers=headers).status_code,
            frozenset(frozenset({keys[pair["school_a_id"]], keys[pair["school_b_id"]]}) for pair in pairs))


def api_book_district_a_gym_for_b1(client, world, headers):
    return api_book(client, headers, world.resources["a_gym"], world.schools["B1"], "篮球课")


def api_book_the_centre_for_b1(client, world, headers):
    return api_book(client, headers, world.resources["centre_hall"], world.schools["B1"], "科技活动")


def api_approve_district_a_request(client, world, headers):
    return api_approve(client, headers, world.bookings["a_request"])


def api_cancel_district_a_booking(client, world, headers):
    booking = world.bookings["a_own"]
    status = client.delete(f"/api/v1/bookings/{booking.id}", headers=headers).status_code
    db.session.expire_all()
    return status, booking.status.value


def api_blackout_district_a_gym(client, world, headers):
    return client.post(f"/api/v1/resources/{world.resources['a_gym'].id}/blackouts", headers=headers, json={
        "start": "2026-09-10T08:00:00", "end": "2026-09-10T12:00:00", "reason": "维修"}).status_code


def api_utilization_by_school(client, world, headers):
    return api_utilization_names(client, headers, WEEK)


# --- pages ---------------------------------------------------------------------------------------

def page_district_a_booking_details(client, world, headers):
    return tuple(client.get(f"/bookings/{world.bookings[key].id}").status_code for key in A_ONLY)


def page_resources(client, world, headers):
    return present(client.get("/resources/"), ALL_RESOURCES)


def page_district_a_gym(client, world, headers):
    return client.get(f"/resources/{world.resources['a_gym'].id}").status_code


def page_approvals(client, world, headers):
    return present(client.get("/bookings/approvals"), ALL_TITLES)


def page_admin_schools(client, world, headers):
    return present(client.get("/admin/schools"), ALL_SCHOOLS | {"青少年活动中心"})


def page_admin_school_a1(client, world, headers):
    return client.get(f"/admin/schools/{world.schools['A1'].id}").status_code


def page_users(client, world, headers):
    return present(client.get("/admin/users/"), {user.email for user in world.users.values()})


def page_district_a_teacher(client, world, headers):
    return client.get(f"/admin/users/{world.users['teacher_a'].id}").status_code


def page_report_of_a1(client, world, headers):
    return client.get("/reports/", query_string={**WEEK, "school": world.schools["A1"].id}).status_code


# --- exports and feeds ---------------------------------------------------------------------------

def export_district_a_booking_ics(client, world, headers):
    return tuple(client.get(f"/calendar/bookings/{world.bookings[key].id}.ics").status_code for key in A_ONLY)


def export_report_school_names(client, world, headers):
    response = client.get("/reports/export/utilisation_schools.csv", query_string=WEEK)
    if response.status_code != 200:
        return response.status_code
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    return frozenset(row[0] for row in rows if row and row[0] in ALL_SCHOOLS)


def feed_of_school_a1(client, world, headers):
    return api_feed(client, headers, "school", world.schools["A1"])


def feed_of_the_district_a_gym(client, world, headers):
    return api_feed(client, headers, "resource", world.resources["a_gym"])


def feeds_show(client, world, headers):
    """The titles of the bookings in every feed the user may hold (their own, each resource's they may
    subscribe to, each school's, the whole installation's)."""
    user = world.users[headers["X-Role"]]
    targets = [("user", None), ("district", None)] + [("school", s.id) for s in world.schools.values()]
    targets += [("resource", resource.id) for resource in db.session.query(Resource)]
    shown = {uid.split("@")[0] for uid in feed_uids(client, user, targets)}
    by_uid = {booking_uid(row.id, "x").split("@")[0]: row.title for row in db.session.query(Booking)}
    return frozenset(by_uid[uid] for uid in shown if uid in by_uid)


# case → what the county coordinator, B's coordinator, B's area coordinator, B1's admin and B1's teacher observe
REFUSED_PAGE = (403, 403)
MATRIX = {
    api_bookings: (ALL_TITLES, B_TITLES, B_TITLES, B_TITLES, B_TITLES),
    api_district_a_booking_details: ((200, 200), (404, 404), (404, 404), (404, 404), (404, 404)),
    api_resources: (ALL_RESOURCES, B_RESOURCES, B_RESOURCES, B_RESOURCES, B_RESOURCES),
    api_availability_of_district_a_gym: (200, 404, 404, 404, 404),
    # A second new-user walk (2026-12-06) read every school's record and the whole travel matrix from district B.
    api_schools: (ALL_SCHOOLS | {"青少年活动中心"}, *[frozenset({"乙一小学", "青少年活动中心"})] * 4),
    api_school_a1_and_the_travel_pairs: (
        (200, frozenset({frozenset({"A1", "C1"}), frozenset({"B1", "C1"}), frozenset({"A1", "B1"})})),
        *[(404, frozenset({frozenset({"B1", "C1"})}))] * 4),
    api_book_district_a_gym_for_b1: (201, 422, 422, 422, 422),
    api_book_the_centre_for_b1: (201, 201, 201, 201, 201),
    api_approve_district_a_request: ((200, "confirmed"), (404, "pending"), (404, "pending"), (404, "pending"),
                                     (403, "pending")),
    api_cancel_district_a_booking: ((200, "cancelled"), (404, "confirmed"), (404, "confirmed"), (404, "confirmed"),
                                    (404, "confirmed")),
    api_blackout_district_a_gym: (201, 404, 404, 404, 403),
    api_utilization_by_school: (OWNERS | {"青少年活动中心"}, frozenset({"乙一小学"}), frozenset({"乙一小学"}),
                                frozenset({"乙一小学"}), 403),
    page_district_a_booking_details: ((200, 200), (404, 404), (404, 404), (404, 404), (404, 404)),
    page_resources: (ALL_RESOURCES, B_RESOURCES, B_RESOURCES, B_RESOURCES, B_RESOURCES),
    page_district_a_gym: (200, 404, 404, 404, 404),
    page_approvals: (frozenset({"甲学区请求"}), frozenset(), frozenset(), frozenset(), 403),
    page_admin_schools: (ALL_SCHOOLS | {"青少年活动中心"}, frozenset({"乙一小学"}), frozenset({"乙一小学"}), 403, 403),
    page_admin_school_a1: (200, 404, 404, 403, 403),
    page_users: (frozenset(u + "@example.cn" for u in (
        "county", "head.a", "head.b", "area.b", "admin.b1", "teacher.b1", "teacher.a1", "teacher.a2")),
        frozenset({"head.b@example.cn", "area.b@example.cn", "admin.b1@example.cn", "teacher.b1@example.cn"}),
        frozenset({"area.b@example.cn", "admin.b1@example.cn", "teacher.b1@example.cn"}), 403, 403),
    page_district_a_teacher: (200, 404, 404, 403, 403),
    page_report_of_a1: (200, 422, 422, 422, 403),
    export_district_a_booking_ics: ((200, 200), (404, 404), (404, 404), (404, 404), (404, 404)),
    export_report_school_names: (OWNERS, frozenset({"乙一小学"}), frozenset({"乙一小学"}),
                                 frozenset({"乙一小学"}), 403),
    feed_of_school_a1: (201, 422, 422, 422, 422),
    feed_of_the_district_a_gym: (201, 422, 422, 422, 422),
    feeds_show: (ALL_TITLES, B_TITLES, B_TITLES, B_TITLES, B_TITLES),
}


# The cases that write: each gets a world of its own; the others read one world built once (world_support).
WRITES = (api_book_district_a_gym_for_b1, api_book_the_centre_for_b1, api_approve_district_a_request,
          api_cancel_district_a_booking, api_blackout_district_a_gym, feed_of_school_a1, feed_of_the_district_a_gym)


def _observe(client, world, role, case):
    actor = world.users[role]
    sign_in(client, actor)
    return case(client, world, {**bearer(actor), "X-Role": role})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", WRITES, ids=lambda case: case.__name__)
def test_nobody_changes_another_districts_data(county_world, client, role, case):
    assert _observe(client, county_world, role, case) == MATRIX[case][ROLES.index(role)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", [case for case in MATRIX if case not in WRITES], ids=lambda case: case.__name__)
def test_nobody_reads_another_districts_data(shared_county, role, case):
    with reading(shared_county) as (client, world):
        observed = _observe(client, world, role, case)
    assert observed == MATRIX[case][ROLES.index(role)]


def test_a_district_head_subscribes_to_their_own_district(county_world, client):
    """Regression (a new user's walk, 2026-12-06): only the county's coordinators could have a district feed,
    and the refusal told a 学区长 that only district coordinators may."""
    titles = {booking_uid(row.id, "x").split("@")[0]: row.title for row in db.session.query(Booking)}
    shown = {uid.split("@")[0] for uid in feed_uids(client, county_world.users["head_b"], [("district", None)])}
    assert {titles[uid] for uid in shown} == {"乙学区预约", "乙到中心"}  # its classes' and its schools' rooms'
    assert api_feed(client, bearer(county_world.users["teacher_b"]), "district") == 422
