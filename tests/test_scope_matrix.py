"""Role × endpoint: each role sees and changes only its scope, in the pages, the API, the feeds and the exports.

The district has two areas (片区) as in 新天学区: 上片 (XT01 and its village school XT01-03) and 下片
(LZ01 and LZ01-05). The four roles under test are a teacher and a school admin of XT01-03, the
area coordinator (包片负责人) of 上片, and the district coordinator (学区长). Every case names
what each role observes; out of scope means refused, or left out of a list.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pytest

from booking.accounts.models import Role, User
from booking.bookings.models import Booking
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.imports.jobs import wait_for_workers
from booking.imports.models import ImportJob
from booking.resources.models import Resource, Sharing
from booking.schools.models import School
from tests import factories
from tests.api_support import bearer
from tests.booking_support import freeze, single
from tests.conftest import login
from tests.world_support import build_shared_world, reading
from tests.matrix_support import api_approve, api_book, api_feed, api_utilization_names, names, present

ROLES = ("teacher", "school_admin", "area_coordinator", "district_coordinator")
WEEK = {"start": "2026-09-01", "end": "2026-09-11"}
BLACKOUT_FORM = {"start_date": "2026-09-10", "start_time": "08:00", "end_date": "", "end_time": "12:00",
                 "reason": "地板维修"}
BLACKOUT_BODY = {"start": "2026-09-10T08:00:00", "end": "2026-09-10T12:00:00", "reason": "地板维修"}


@dataclass
class Areas:
    schools: dict[str, School]
    users: dict[str, User]
    resources: dict[str, Resource]
    bookings: dict[str, Booking]


def _booking(user: User, resource: Resource, title: str, day: int = 3) -> Booking:
    return create_booking(user, single(resource, day=day, title=title)).bookings[0]


@factories.batched
def build_areas() -> Areas:
    freeze()
    factories.term()
    xt01 = factories.school(code="XT01", name="新天寄宿制小学", area="上片", is_lead=True, enrollment=900)
    xt03 = factories.school(code="XT01-03", name="杨家岭小学", area="上片", lead_school_id=xt01.id, is_weak=True)
    lz01 = factories.school(code="LZ01", name="李寨寄宿制小学", area="下片", is_lead=True, enrollment=800)
    lz05 = factories.school(code="LZ01-05", name="南沟小学", area="下片", lead_school_id=lz01.id, is_weak=True)
    users = {
        "teacher": factories.user(school=xt03, email="teacher.xt01-03@example.cn"),
        "school_admin": factories.user(role=Role.SCHOOL_ADMIN, school=xt03, email="admin.xt01-03@example.cn"),
        "area_coordinator": factories.user(role=Role.COORDINATOR, area="上片", school=xt01,
                                           email="coordinator.shangpian@example.cn"),
        "district_coordinator": factories.user(role=Role.COORDINATOR, email="coordinator@example.cn"),
        "lead_teacher": factories.user(school=xt01, email="teacher.xt01@example.cn"),
        "lower_teacher": factories.user(school=lz05, email="teacher.lz01-05@example.cn"),
        "lower_lead_teacher": factories.user(school=lz01, email="teacher.lz01@example.cn"),
        "lower_coordinator": factories.user(role=Role.COORDINATOR, area="下片", school=lz01,
                                            email="coordinator.xiapian@example.cn"),
    }
    resources = {
        "upper_gym": factories.resource(name="上片体育馆", owner_school=xt03, approval_required=True),
        "lower_gym": factories.resource(name="下片体育馆", owner_school=lz05, approval_required=True),
        "upper_own_lab": factories.resource(name="上片自用实验室", owner_school=xt01, sharing=Sharing.OWN_SCHOOL),
        "lower_own_lab": factories.resource(name="下片自用实验室", owner_school=lz01, sharing=Sharing.OWN_SCHOOL),
    }
    bookings = {
        "upper_request": _booking(users["teacher"], resources["upper_gym"], "上片请求"),
        "lower_request": _booking(users["lower_teacher"], resources["lower_gym"], "下片请求"),
        "upper_own": _booking(users["lead_teacher"], resources["upper_own_lab"], "上片自用"),
        "lower_own": _booking(users["lower_lead_teacher"], resources["lower_own_lab"], "下片自用"),
    }
    return Areas({s.code: s for s in (xt01, xt03, lz01, lz05)}, users, resources, bookings)


@pytest.fixture
def areas(app) -> Areas:
    return build_areas()


@pytest.fixture(scope="session")
def shared_areas(test_databases):
    """The same district built once per backend and test worker, for the cases that only read it."""
    return build_shared_world(test_databases, "scope_areas", build_areas)


def _present(response, names) -> frozenset[str] | int:
    """The status when refused, else which of ``names`` the page shows."""
    if response.status_code != 200:
        return response.status_code
    html = response.get_data(as_text=True)
    return frozenset(name for name in names if name in html)


def _csv_first_column(response) -> frozenset[str] | int:
    if response.status_code != 200:
        return response.status_code
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header = next(index for index, row in enumerate(rows) if len([cell for cell in row if cell]) > 1)  # after the headings
    return frozenset(row[0] for row in rows[header + 1:] if row and row[0] != TOTAL_ROW)


TOTAL_ROW = "合计"
ALL_CODES = frozenset({"XT01", "XT01-03", "LZ01", "LZ01-05"})
UPPER_CODES = frozenset({"XT01", "XT01-03"})
ALL_RESOURCES = frozenset({"上片体育馆", "下片体育馆", "上片自用实验室", "下片自用实验室"})
SHARED_RESOURCES = frozenset({"上片体育馆", "下片体育馆"})
ALL_TITLES = frozenset({"上片请求", "下片请求", "上片自用", "下片自用"})
SHARED_TITLES = frozenset({"上片请求", "下片请求"})
ALL_SCHOOL_NAMES = frozenset({"新天寄宿制小学", "杨家岭小学", "李寨寄宿制小学", "南沟小学"})
UPPER_SCHOOL_NAMES = frozenset({"新天寄宿制小学", "杨家岭小学"})


# --- pages ----------------------------------------------------------------------------------------

def schools_page(client, areas, headers):
    return present(client.get("/admin/schools"), ALL_CODES)


def other_areas_school_page(client, areas, headers):
    return client.get(f"/admin/schools/{areas.schools['LZ01-05'].id}").status_code


def own_areas_school_page(client, areas, headers):
    return client.get(f"/admin/schools/{areas.schools['XT01-03'].id}").status_code


def terms_page(client, areas, headers):
    return client.get("/admin/terms").status_code


def users_page(client, areas, headers):
    return present(client.get("/admin/users/"), {u.email for u in areas.users.values()})


def demote_the_district_head(client, areas, headers):
    head = areas.users["district_coordinator"]
    status = client.post(f"/admin/users/{head.id}", data={
        "email": head.email, "display_name": head.display_name, "role": "teacher", "school": "XT01",
        "locale": "zh_CN", "password": "", "area": ""}).status_code
    db.session.expire_all()
    return status, head.role.value, head.active


def other_areas_teacher_page(client, areas, headers):
    return client.get(f"/admin/users/{areas.users['lower_teacher'].id}").status_code


def import_a_teacher_of_the_other_area(client, areas, headers):
    text = "email,display_name,role,school_code,locale,password\nnew@example.cn,新老师,teacher,LZ01-05,,secret-pass\n"
    response = client.post("/admin/import/users", data={"file": (io.BytesIO(text.encode()), "users.csv")},
                           content_type="multipart/form-data")
    outcome = response.status_code
    if outcome == 303:  # queued: how the background job ended
        wait_for_workers()
        db.session.expire_all()
        outcome = db.session.scalar(db.select(ImportJob.status).order_by(ImportJob.id.desc())).value
    return outcome, db.session.scalar(db.select(User.id).where(User.email == "new@example.cn")) is not None


def manage_resources_page(client, areas, headers):
    return present(client.get("/resources/manage"), ALL_RESOURCES)


def resources_page(client, areas, headers):
    return present(client.get("/resources/"), ALL_RESOURCES)


def approvals_page(client, areas, headers):
    return present(client.get("/bookings/approvals"), ALL_TITLES)


def approve_the_other_areas_request(client, areas, headers):
    booking = areas.bookings["lower_request"]
    status = client.post(f"/bookings/{booking.id}/approve", data={"scope": "occurrence", "reason": ""}).status_code
    db.session.expire_all()
    return status, booking.status.value


def blackout_the_other_areas_gym(client, areas, headers):
    return client.post(f"/resources/{areas.resources['lower_gym'].id}/blackouts", data=BLACKOUT_FORM).status_code


def report_of_the_other_areas_school(client, areas, headers):
    return client.get("/reports/", query_string={**WEEK, "school": areas.schools["LZ01-05"].id}).status_code


def report_export_names(client, areas, headers):
    return _csv_first_column(client.get("/reports/export/utilisation_schools.csv", query_string=WEEK))


# --- API ----------------------------------------------------------------------------------------

def api_bookings(client, areas, headers):
    return names(client.get("/api/v1/bookings", headers=headers), "title")


def api_book_for_a_class_of_the_other_area(client, areas, headers):
    return api_book(client, headers, areas.resources["upper_gym"], areas.schools["LZ01-05"], "篮球课")


def api_book_the_other_areas_own_school_lab(client, areas, headers):
    return api_book(client, headers, areas.resources["lower_own_lab"], areas.schools["XT01"], "科学课")


def api_approve_the_other_areas_request(client, areas, headers):
    return api_approve(client, headers, areas.bookings["lower_request"])


def api_blackout_the_other_areas_gym(client, areas, headers):
    return client.post(f"/api/v1/resources/{areas.resources['lower_gym'].id}/blackouts", json=BLACKOUT_BODY,
                       headers=headers).status_code


def api_utilization_by_school(client, areas, headers):
    return api_utilization_names(client, headers, WEEK)


# --- feeds ----------------------------------------------------------------------------------------

def feed_of_the_other_areas_school(client, areas, headers):
    return api_feed(client, headers, "school", areas.schools["LZ01"])


def feed_of_the_own_areas_lead_school(client, areas, headers):
    return api_feed(client, headers, "school", areas.schools["XT01"])


def feed_of_the_district(client, areas, headers):
    return api_feed(client, headers, "district")


def _emails(*keys):
    return frozenset({f"{key}@example.cn" for key in keys})


# case → what teacher, school admin, area coordinator and district coordinator observe
MATRIX = {
    schools_page: (403, 403, UPPER_CODES, ALL_CODES),
    other_areas_school_page: (403, 403, 404, 200),
    own_areas_school_page: (403, 403, 200, 200),
    terms_page: (403, 403, 403, 200),
    users_page: (403, 403,
                 _emails("teacher.xt01-03", "admin.xt01-03", "coordinator.shangpian", "teacher.xt01"),
                 frozenset(u + "@example.cn" for u in (
                     "teacher.xt01-03", "admin.xt01-03", "coordinator.shangpian", "coordinator", "teacher.xt01",
                     "teacher.lz01-05", "teacher.lz01", "coordinator.xiapian"))),
    demote_the_district_head: ((403, "coordinator", True), (403, "coordinator", True),
                               (404, "coordinator", True), (422, "coordinator", True)),
    other_areas_teacher_page: (403, 403, 404, 200),
    import_a_teacher_of_the_other_area: ((403, False), (403, False), ("failed", False), ("done", True)),
    manage_resources_page: (403, frozenset({"上片体育馆"}), frozenset({"上片体育馆", "上片自用实验室"}), ALL_RESOURCES),
    resources_page: (SHARED_RESOURCES, SHARED_RESOURCES, SHARED_RESOURCES | {"上片自用实验室"}, ALL_RESOURCES),
    approvals_page: (403, frozenset({"上片请求"}), frozenset({"上片请求"}), frozenset({"上片请求", "下片请求"})),
    approve_the_other_areas_request: ((403, "pending"), (403, "pending"), (403, "pending"), (302, "confirmed")),
    blackout_the_other_areas_gym: (403, 403, 403, 302),
    report_of_the_other_areas_school: (403, 422, 422, 200),
    report_export_names: (403, frozenset({"杨家岭小学"}), UPPER_SCHOOL_NAMES, ALL_SCHOOL_NAMES),
    api_bookings: (SHARED_TITLES, SHARED_TITLES, SHARED_TITLES | {"上片自用"}, ALL_TITLES),
    api_book_for_a_class_of_the_other_area: (409, 409, 422, 201),
    api_book_the_other_areas_own_school_lab: (409, 409, 422, 201),
    api_approve_the_other_areas_request: ((403, "pending"), (403, "pending"), (403, "pending"), (200, "confirmed")),
    api_blackout_the_other_areas_gym: (403, 403, 403, 201),
    api_utilization_by_school: (403, frozenset({"杨家岭小学"}), UPPER_SCHOOL_NAMES, ALL_SCHOOL_NAMES),
    feed_of_the_other_areas_school: (422, 422, 422, 201),
    feed_of_the_own_areas_lead_school: (422, 422, 201, 201),
    feed_of_the_district: (422, 422, 422, 201),
}


# The cases that write: each gets a district of its own; the others read one built once (world_support).
WRITES = (demote_the_district_head, import_a_teacher_of_the_other_area, approve_the_other_areas_request,
          blackout_the_other_areas_gym, api_book_for_a_class_of_the_other_area,
          api_book_the_other_areas_own_school_lab, api_approve_the_other_areas_request, api_blackout_the_other_areas_gym,
          feed_of_the_other_areas_school, feed_of_the_own_areas_lead_school, feed_of_the_district)


def _observe(client, areas, role, case):
    actor = areas.users[role]
    assert login(client, actor).status_code == 302
    return case(client, areas, bearer(actor))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", WRITES, ids=lambda case: case.__name__)
def test_each_role_changes_only_its_scope(areas, client, role, case):
    assert _observe(client, areas, role, case) == MATRIX[case][ROLES.index(role)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", [case for case in MATRIX if case not in WRITES], ids=lambda case: case.__name__)
def test_each_role_sees_only_its_scope(shared_areas, role, case):
    with reading(shared_areas) as (client, areas):
        observed = _observe(client, areas, role, case)
    assert observed == MATRIX[case][ROLES.index(role)]
