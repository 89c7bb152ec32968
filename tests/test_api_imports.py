"""The .ics calendar import (preview, apply) and the CSV imports (a job to poll) through the API: the pages'
functions, permissions and messages (booking/api/calendar_imports.py, csv_imports.py)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from booking.accounts.models import Role, User
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.imports.jobs import wait_for_workers
from booking.imports.models import ImportJob
from booking.schools.models import Closure, Term
from tests import factories
from tests.api_support import bearer
from tests.booking_support import freeze, single
from tests.test_ics_import import HOLIDAYS, TERM_FILE
from tests.test_import_jobs import FILE

PREVIEW = "/api/v1/calendar-imports/preview"


@pytest.fixture
def coordinator(app):
    return factories.user(role=Role.COORDINATOR)


def preview(client, user, data: bytes = HOLIDAYS, query: str = "", **kw):
    return client.post(PREVIEW + query, data=data, content_type="text/calendar", headers=bearer(user), **kw)


def closure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Closure))


def test_preview_then_apply_then_the_same_file_changes_nothing(client, coordinator):
    shown = preview(client, coordinator)
    assert shown.status_code == 200, shown.get_json()
    body = shown.get_json()
    assert [(c["action"], c["title"]) for c in body["changes"]] == [("add", "国庆节"), ("add", "运动会"),
                                                                   ("add", "元旦")]
    assert body["changes"][1]["start_time"] == "08:00" and body["affected"] == [] and closure_count() == 0
    applied = client.post("/api/v1/calendar-imports", json={"payload": body["payload"]}, headers=bearer(coordinator))
    assert applied.status_code == 200 and closure_count() == 3
    assert [c["action"] for c in applied.get_json()["changes"]] == ["add"] * 3
    again = preview(client, coordinator).get_json()
    assert {c["action"] for c in again["changes"]} == {"keep"}


def test_term_dates_from_a_multipart_upload(client, coordinator):
    shown = client.post(PREVIEW + "?kind=terms", data={"file": (io.BytesIO(TERM_FILE), "terms.ics")},
                        content_type="multipart/form-data", headers=bearer(coordinator))
    assert shown.status_code == 200 and shown.get_json()["kind"] == "terms"
    applied = client.post("/api/v1/calendar-imports", json={"payload": shown.get_json()["payload"]},
                          headers=bearer(coordinator))
    assert applied.status_code == 200
    assert sorted(db.session.scalars(select(Term.name))) == ["2026秋季学期", "2027春季学期"]


def test_bookings_on_the_closures_are_asked_about_and_a_stale_list_is_refused(client, coordinator):
    factories.term()
    freeze()
    lab = factories.resource()
    first = create_booking(factories.user(school=lab.owner_school), single(lab, month=10, day=15)).bookings[0]
    db.session.commit()
    body = preview(client, coordinator).get_json()
    assert [b["id"] for b in body["affected"]] == [first.id]
    apply = {"payload": body["payload"]}
    asked = client.post("/api/v1/calendar-imports", json=apply, headers=bearer(coordinator))
    assert asked.status_code == 409 and asked.get_json()["error"] == "affected_bookings" and closure_count() == 0
    # Another booking on the sports day since the preview: the choice made for one booking is not applied to two.
    second = create_booking(factories.user(school=lab.owner_school), single(lab, month=10, day=15, start=first.ends_at,
                                                                             end=first.ends_at.replace(minute=50)))
    db.session.commit()
    stale = client.post("/api/v1/calendar-imports", json={**apply, "on_bookings": "cancel", "affected": [first.id]},
                        headers=bearer(coordinator))
    assert stale.status_code == 409 and stale.get_json()["changed"] is True
    assert [b["id"] for b in stale.get_json()["affected"]] == [first.id, second.bookings[0].id]
    assert closure_count() == 0 and db.session.get(Booking, first.id).status != BookingStatus.CANCELLED
    both = [first.id, second.bookings[0].id]
    done = client.post("/api/v1/calendar-imports", json={**apply, "on_bookings": "cancel", "affected": both},
                       headers=bearer(coordinator))
    assert done.status_code == 200 and sorted(b["id"] for b in done.get_json()["cancelled"]) == both
    db.session.expire_all()
    assert db.session.get(Booking, first.id).status == BookingStatus.CANCELLED and closure_count() == 3


def test_only_county_coordinators_import_the_countys_calendar(client, coordinator):
    school = factories.school()
    head = factories.user(role=Role.COORDINATOR, district_id=school.district_id)
    for refused in (head, factories.user(role=Role.COORDINATOR, area="上片")):
        answer = preview(client, refused)  # the county's closures (no school, no district)
        assert answer.status_code == 403 and "county coordinators" in answer.get_json()["message"]
    payload = preview(client, coordinator).get_json()["payload"]
    assert client.post("/api/v1/calendar-imports", json={"payload": payload}, headers=bearer(head)).status_code == 403
    for role in (Role.SCHOOL_ADMIN, Role.TEACHER):
        assert preview(client, factories.user(role=role, school=school)).status_code == 403
    assert closure_count() == 0


@pytest.mark.parametrize("query,data,content_type,field,fragment", [
    ("", b"not a calendar", "text/calendar", "file", ""),
    ("", b"", "text/calendar", "file", ".ics"),
    ("?url=https://example.cn/x.ics", HOLIDAYS, "text/calendar", "file", "not both"),
    ("?url=ftp://example.cn/x.ics", b"", None, "url", "https://"),
    ("?school_id=999999", HOLIDAYS, "text/calendar", "school_id", "Choose a school"),
    ("?kind=holidays", HOLIDAYS, "text/calendar", "kind", "closures, terms"),
    ("?remove_missing=yes", HOLIDAYS, "text/calendar", "remove_missing", "true or false"),
])
def test_bad_previews_name_the_field(client, coordinator, query, data, content_type, field, fragment):
    answer = client.post(PREVIEW + query, data=data, content_type=content_type, headers=bearer(coordinator))
    assert answer.status_code == 422 and fragment in answer.get_json()["fields"][field], answer.get_json()


def test_an_overlapping_term_import_and_a_tampered_payload_are_refused(client, coordinator):
    factories.term(name="手工学期", start_date=date(2027, 3, 1), end_date=date(2027, 3, 31))
    overlapping = preview(client, coordinator, TERM_FILE, "?kind=terms")
    assert overlapping.status_code == 422 and "手工学期" in overlapping.get_json()["fields"]["file"]
    payload = preview(client, coordinator).get_json()["payload"]
    tampered = client.post("/api/v1/calendar-imports", json={"payload": payload[:-3] + "abc"},
                           headers=bearer(coordinator))
    assert tampered.status_code == 422 and "unchanged" in tampered.get_json()["fields"]["payload"]
    wrong_type = client.post(PREVIEW, data=HOLIDAYS, content_type="application/octet-stream",
                             headers=bearer(coordinator))
    assert wrong_type.status_code == 415 and "text/calendar" in wrong_type.get_json()["message"]
    assert closure_count() == 0


# --- CSV imports -----------------------------------------------------------------------------------

def imported_users() -> int:
    db.session.expire_all()
    return db.session.query(User).filter(User.email.like("t%@example.cn")).count()


def upload(client, user, data: bytes = FILE, kind: str = "users"):
    return client.post(f"/api/v1/imports/{kind}?filename=teachers.csv", data=data, content_type="text/csv",
                       headers=bearer(user))


def test_a_csv_upload_is_a_job_to_poll_and_the_same_file_is_imported_once(client, coordinator):
    factories.school(code="XT01")
    queued = upload(client, coordinator)
    assert queued.status_code == 202 and queued.get_json()["created"] is True
    location = queued.headers["Location"]
    assert location.endswith(f"/api/v1/imports/jobs/{queued.get_json()['id']}")
    wait_for_workers()
    done = client.get(location, headers=bearer(coordinator)).get_json()
    assert (done["status"], done["imported"], done["percent"], done["generated_passwords"]) == ("done", 12, 100, 12)
    again = client.post("/api/v1/imports/users", data={"file": (io.BytesIO(FILE), "teachers.csv")},
                        content_type="multipart/form-data", headers=bearer(coordinator))
    assert again.status_code == 202 and again.get_json()["created"] is False
    assert again.get_json()["id"] == done["id"] and imported_users() == 12
    assert client.get(location, headers=bearer(factories.user(role=Role.COORDINATOR))).status_code == 404


def test_a_file_with_bad_rows_fails_its_job_with_the_rows(client, coordinator):
    factories.school(code="XT01")
    queued = upload(client, coordinator, FILE + b"t99@example.cn,X,teacher,NOPE,\n")
    wait_for_workers()
    failed = client.get(queued.headers["Location"], headers=bearer(coordinator)).get_json()
    assert failed["status"] == "failed" and failed["error_count"] == 1 and imported_users() == 0
    assert failed["row_errors"][0]["row"] == 14 and failed["row_errors"][0]["column"] == "school_code"


def test_bad_csv_uploads_are_refused_at_once(client, coordinator):
    bad_header = upload(client, coordinator, b"name,colour\nx,y\n")
    assert bad_header.status_code == 422 and "header" in bad_header.get_json()["fields"]["file"]
    wrong_name = client.post("/api/v1/imports/users?filename=teachers.xlsx", data=FILE, content_type="text/csv",
                             headers=bearer(coordinator))
    assert wrong_name.status_code == 422 and ".csv" in wrong_name.get_json()["fields"]["file"]
    unknown = upload(client, coordinator, kind="pupils")
    assert unknown.status_code == 404 and "schools, resources, users" in unknown.get_json()["message"]
    school = factories.school()
    for role in (Role.SCHOOL_ADMIN, Role.TEACHER):
        assert upload(client, factories.user(role=role, school=school)).status_code == 403
    assert db.session.query(ImportJob).count() == 0


def test_a_coordinator_of_another_district_imports_nothing_into_this_one(client, coordinator):
    factories.school(code="XT01")
    other = factories.district(name="乙学区")
    head = factories.user(role=Role.COORDINATOR, district_id=other.id)
    queued = upload(client, head)
    wait_for_workers()
    failed = client.get(queued.headers["Location"], headers=bearer(head)).get_json()
    assert failed["status"] == "failed" and failed["error_count"] == 12 and imported_users() == 0
