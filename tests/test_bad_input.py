"""Bad input of every kind answers a 4xx naming what is wrong, never a 500, on both databases.

One seeded demo district per module (bad input writes nothing, so the cases can share it);
each case is one request by the coordinator (browser session or API token) or a visiting teacher.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from booking.accounts.models import User
from booking.bookings.models import Booking
from booking.extensions import db
from booking.resources.models import Resource
from booking.schools.models import School
from tests.conftest import sign_in
from tests.demo_support import COORDINATOR

HUGE = "9" * 20
NUL = "\x00"
SURROGATE = "\ud800"
VISITING_TEACHER = "music.xt01@demo.xq"


@pytest.fixture(scope="module")
def seeded(seeded_demo):
    with seeded_demo.app.app_context():
        ids = {
            "resource": db.session.scalar(select(Resource.id).order_by(Resource.id).limit(1)),
            "school": db.session.scalar(select(School.id).order_by(School.id).limit(1)),
            "booking": db.session.scalar(select(Booking.id).order_by(Booking.id).limit(1)),
            "user": db.session.scalar(select(User.id).where(User.email == VISITING_TEACHER)),
        }
    return seeded_demo.app, ids, seeded_demo.coordinator_token


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: str  # formatted with the seeded ids: {resource}, {school}, {booking}, {user}
    who: str = "api"  # api (a coordinator's token), coordinator (browser) or teacher (a visiting teacher, browser)
    json: object = None
    raw_json: str | None = None
    data: dict = field(default_factory=dict)
    # A page's filter may ignore a value that names nothing (200); it must never fail (5xx).
    forgiving: bool = False
    status: int | None = None  # when one status is required

    def __str__(self):
        return self.name


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def ics(dtstart: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:far@t\r\n"
            f"SUMMARY:far\r\nDTSTART{dtstart}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()


BOOKING = {"resource_id": "{resource}", "start": "2026-12-03T09:50:00", "end": "2026-12-03T10:30:00", "title": "课"}
BLACKOUT = {"start": "2026-12-03T08:00:00", "end": "2026-12-03T12:00:00", "reason": "修"}
BLACKOUT_FORM = {"start_date": "2026-12-03", "start_time": "08:00", "end_date": "", "end_time": "12:00",
                 "reason": "修"}

CASES = [
    # Years 1 and 9999 in instants and dates.
    *(Case(f"api booking {key} year {year}", "POST", "/api/v1/bookings",
           json={**BOOKING, key: f"{year}-01-01T00:00:00"}) for key in ("start", "end") for year in ("0001", "9999")),
    Case("api booking both year 9999", "POST", "/api/v1/bookings",
         json={**BOOKING, "start": "9999-12-31T23:00:00Z", "end": "9999-12-31T23:59:00Z"}),
    Case("api booking recurrence until year 9999", "POST", "/api/v1/bookings",
         json={**BOOKING, "recurrence": {"rrule": "FREQ=WEEKLY", "until": "9999-12-31"}}),
    Case("api booking rrule until year 9999", "POST", "/api/v1/bookings",
         json={**BOOKING, "recurrence": {"rrule": "FREQ=WEEKLY;UNTIL=99991231"}}),
    *(Case(f"api bookings ?{key}= year {year}", "GET", f"/api/v1/bookings?{key}={year}-01-01T00:00:00")
      for key in ("start", "end") for year in ("0001", "9999")),
    Case("api availability year 1", "GET",
         "/api/v1/resources/{resource}/availability?start=0001-01-01T00:00:00&end=0001-01-02T00:00:00"),
    Case("api availability year 9999", "GET",
         "/api/v1/resources/{resource}/availability?start=9999-12-31T00:00:00Z&end=9999-12-31T23:00:00Z"),
    Case("api blackouts ?since= year 1", "GET", "/api/v1/resources/{resource}/blackouts?since=0001-01-01T00:00:00"),
    *(Case(f"api blackout {key} year {year}", "POST", "/api/v1/resources/{resource}/blackouts",
           json={**BLACKOUT, key: f"{year}-01-01T00:00:00"}) for key in ("start", "end") for year in ("0001", "9999")),
    Case("api free resources date year 9999", "GET", "/api/v1/free-resources?category=lab&date=9999-12-31&period=1"),
    Case("api free resources date year 1", "GET", "/api/v1/free-resources?category=lab&date=0001-01-01&period=1"),
    *(Case(f"api {report} report year {year}", "GET", f"/api/v1/reports/{report}?start={year}-01-01&end={year}-12-31")
      for report in ("utilization", "equity") for year in ("0001", "9999")),
    Case("api mandates ?term= huge", "GET", f"/api/v1/mandates?term={HUGE}"),
    *(Case(f"reports page year {year}", "GET", f"/reports/?start={year}-01-01&end={year}-12-31", who="coordinator")
      for year in ("0001", "9999")),
    Case("reports export year 9999", "GET", "/reports/export/utilisation.csv?start=9999-01-01&end=9999-12-31",
         who="coordinator"),
    Case("reports print year 1", "GET", "/reports/equity/print?start=0001-01-01&end=0001-12-31", who="coordinator"),
    Case("reports bookings year 9999", "GET", "/reports/bookings?start=9999-01-01&end=9999-12-31", who="coordinator"),
    Case("teachers today year 9999", "GET", "/teachers/today?day=9999-12-31", who="teacher"),
    Case("teachers today year 1", "GET", "/teachers/today?day=0001-01-01", who="teacher"),
    *(Case(f"blackout page {key} year {year}", "POST", "/resources/{resource}/blackouts", who="coordinator",
           data={**BLACKOUT_FORM, key: f"{year}-12-31"}) for key in ("start_date", "end_date")
      for year in ("0001", "9999")),
    Case("closure page year 9999", "POST", "/admin/closures/new", who="coordinator",
         data={"start_date": "9999-12-31", "end_date": "9999-12-31", "reason": "x", "school_id": ""}),
    Case("term page year 9999", "POST", "/admin/terms/new", who="coordinator",
         data={"name": "远", "start_date": "9999-01-01", "end_date": "9999-12-31"}),
    Case("booking page day year 9999", "POST", "/bookings/new/{resource}", who="coordinator",
         data={"day": "9999-12-31", "period_number": "1", "title": "x", "mode": "period"}),
    Case("search page day year 9999", "GET", "/bookings/search?category=lab&day=9999-12-31&period_number=1",
         who="coordinator"),
    Case("resource week year 9999", "GET", "/resources/{resource}?week=9999-12-31", who="coordinator", forgiving=True),
    Case("resource week year 1", "GET", "/resources/{resource}?week=0001-01-01", who="coordinator", forgiving=True),
    # Huge numbers in paths and query strings.
    *(Case(f"api path {path}", "GET", f"/api/v1/{path}")
      for path in (f"resources/{HUGE}", f"bookings/{HUGE}", f"schools/{HUGE}", f"resources/{HUGE}/availability",
                   f"resources/{HUGE}/blackouts")),
    Case("api delete huge feed", "DELETE", f"/api/v1/feeds/{HUGE}"),
    Case("api delete huge blackout", "DELETE", f"/api/v1/resources/{{resource}}/blackouts/{HUGE}"),
    Case("api approve huge", "POST", f"/api/v1/bookings/{HUGE}/approve", json={}),
    *(Case(f"page path {path}", "GET", path, who="coordinator")
      for path in (f"/resources/{HUGE}", f"/bookings/{HUGE}", f"/admin/schools/{HUGE}", f"/admin/users/{HUGE}",
                   f"/admin/terms/{HUGE}", f"/admin/closures/{HUGE}", f"/teachers/profiles/{HUGE}",
                   f"/digests/{HUGE}", f"/calendar/bookings/{HUGE}.ics", f"/bookings/new/{HUGE}")),
    *(Case(f"page ?page= {path}", "GET", f"{path}?page={HUGE}", who="coordinator")
      for path in ("/admin/users/", "/reports/bookings", "/bookings/mine")),
    Case("bells ?copy_from= huge", "GET", f"/admin/schools/{{school}}/bells?copy_from={HUGE}", who="coordinator"),
    Case("users admin ?school= huge", "GET", f"/admin/users/?school={HUGE}", who="coordinator", forgiving=True),
    Case("resources ?school= huge", "GET", f"/resources/?school={HUGE}", who="coordinator", forgiving=True),
    Case("travel ?school= huge", "GET", f"/admin/travel?school={HUGE}", who="coordinator", forgiving=True),
    Case("mandates page ?term= huge", "GET", f"/teachers/mandates?term={HUGE}", who="coordinator"),
    Case("booking new ?resource_id= huge", "GET", f"/bookings/new?resource_id={HUGE}", who="coordinator"),
    Case("reports ?school= huge", "GET", f"/reports/?school={HUGE}", who="coordinator"),
    Case("api bookings ?resource= huge", "GET", f"/api/v1/bookings?resource={HUGE}"),
    Case("api booking body huge id", "POST", "/api/v1/bookings", json={**BOOKING, "resource_id": int(HUGE)}),
    # Deeply nested JSON bodies.
    *(Case(f"api deep json {path}", "POST", path, raw_json=deep(100_000))
      for path in ("/api/v1/bookings", "/api/v1/feeds", "/api/v1/resources/{resource}/blackouts",
                   "/api/v1/bookings/{booking}/approve")),
    Case("api deep json object", "POST", "/api/v1/bookings", raw_json='{"title":' * 100_000 + "1" + "}" * 100_000),
    # NUL characters and lone surrogates.
    *(Case(f"api booking title {name}", "POST", "/api/v1/bookings", json={**BOOKING, "title": f"a{char}b"})
      for name, char in (("NUL", NUL), ("surrogate", SURROGATE))),
    *(Case(f"api blackout reason {name}", "POST", "/api/v1/resources/{resource}/blackouts",
           json={**BLACKOUT, "reason": f"a{char}b"}) for name, char in (("NUL", NUL), ("surrogate", SURROGATE))),
    Case("api feed name surrogate", "POST", "/api/v1/feeds", json={"scope": "mine", "name": SURROGATE}),
    Case("api json key NUL", "POST", "/api/v1/bookings", json={**BOOKING, "ti\x00tle": "x"}),
    Case("api resources ?q= NUL", "GET", "/api/v1/resources?q=a%00b"),
    Case("api cancel reason NUL", "DELETE", "/api/v1/bookings/{booking}?reason=a%00b"),
    Case("resources page ?q= NUL", "GET", "/resources/?q=a%00b", who="coordinator"),
    Case("users page ?q= NUL", "GET", "/admin/users/?q=a%00b", who="coordinator"),
    Case("profile name NUL", "POST", "/profile", who="coordinator", data={"display_name": "a\x00b", "locale": "en"}),
    Case("closure reason NUL", "POST", "/admin/closures/new", who="coordinator",
         data={"start_date": "2026-12-24", "end_date": "2026-12-24", "reason": "a\x00b", "school_id": ""}),
    Case("blackout page reason NUL", "POST", "/resources/{resource}/blackouts", who="coordinator",
         data={**BLACKOUT_FORM, "reason": "a\x00b"}),
    Case("school name NUL", "POST", "/admin/schools/new", who="coordinator",
         data={"code": "NUL1", "name": "a\x00b", "stage": "primary", "enrollment": "100"}),
    # Strings longer than their column.
    Case("profile name 500 chars", "POST", "/profile", who="coordinator", data={"display_name": "名" * 500,
                                                                                "locale": "en"}),
    Case("user admin name 500 chars", "POST", "/admin/users/{user}", who="coordinator",
         data={"email": VISITING_TEACHER, "display_name": "名" * 500, "role": "teacher", "locale": "zh_CN",
               "active": "y"}),
    Case("new user name 500 chars", "POST", "/admin/users/new", who="coordinator",
         data={"email": "long@demo.xq", "display_name": "名" * 500, "role": "coordinator", "locale": "zh_CN",
               "password": "longpassword1", "active": "y"}),
    Case("school name 500 chars", "POST", "/admin/schools/new", who="coordinator",
         data={"code": "LONG1", "name": "名" * 500, "stage": "primary", "enrollment": "100"}),
    Case("term name 500 chars", "POST", "/admin/terms/new", who="coordinator",
         data={"name": "名" * 500, "start_date": "2028-02-20", "end_date": "2028-07-01"}),
    Case("closure reason 500 chars", "POST", "/admin/closures/new", who="coordinator",
         data={"start_date": "2026-12-24", "end_date": "2026-12-24", "reason": "名" * 500, "school_id": ""}),
    Case("booking page class 500 chars", "POST", "/bookings/new/{resource}", who="coordinator",
         data={"day": "2026-12-03", "period_number": "3", "title": "x", "class_name": "班" * 500}),
    Case("token name 500 chars", "POST", "/profile/tokens", who="coordinator", data={"name": "名" * 500}),
    Case("api booking class 500 chars", "POST", "/api/v1/bookings", json={**BOOKING, "class_name": "班" * 500}),
    Case("api booking subject 500 chars", "POST", "/api/v1/bookings", json={**BOOKING, "subject": "x" * 500}),
    Case("api feed name 500 chars", "POST", "/api/v1/feeds", json={"scope": "mine", "name": "名" * 500}),
    # Empty and repeated query parameters of the API.
    *(Case(f"api empty ?{param}=", "GET", f"/api/v1/{path}?{param}=")
      for path, param in (("bookings", "offset"), ("bookings", "limit"), ("bookings", "status"),
                          ("resources", "kind"), ("bookings", "start"), ("reports/utilization", "group"))),
    # Too long a query string.
    Case("api query string too long", "GET", "/api/v1/resources?q=" + "x" * 10_000, status=414),
    Case("page query string too long", "GET", "/resources/?q=" + "x" * 10_000, who="coordinator", status=414),
    # CSV imports: text that no column can hold. A NUL is refused with the file; a readable file is queued
    # (303 to its job, whose page names the problem: tests/test_import_jobs.py).
    *(Case(f"csv import {kind} {what}", "POST", f"/admin/import/{kind}", who="coordinator",
           data={"file": ("csv", f"{header}\n{row}\n".encode())}, status=303 if what == "500 chars" else None)
      for kind, header, rows in (
          ("schools", "code,name,stage,enrollment", {"NUL": "NUL1,a\x00b,primary,100",
                                                     "500 chars": "LONG1," + "名" * 500 + ",primary,100"}),
          ("users", "email,display_name,role,school_code", {"NUL": "nul@demo.xq,a\x00b,coordinator,",
                                                            "500 chars": "long@demo.xq," + "名" * 500 + ",coordinator,"}))
      for what, row in rows.items()),
    # A calendar file far in the future.
    Case("calendar import year 9999", "POST", "/admin/calendar-import", who="coordinator",
         data={"kind": "closures", "school_id": "", "url": "", "file": ("ics", ics(";VALUE=DATE:99991231"))}),
    Case("calendar import DTSTART:99991231", "POST", "/admin/calendar-import", who="coordinator",
         data={"kind": "closures", "school_id": "", "url": "", "file": ("ics", ics(":99991231"))}),
    Case("calendar import timed year 9999", "POST", "/admin/calendar-import", who="coordinator",
         data={"kind": "closures", "school_id": "", "url": "", "file": ("ics", ics(":99991231T230000Z"))}),
    Case("calendar import year 1", "POST", "/admin/calendar-import", who="coordinator",
         data={"kind": "terms", "school_id": "", "url": "", "file": ("ics", ics(";VALUE=DATE:00010101"))}),
]


def _signed_in(app, email: str):
    return sign_in(app.test_client(), db.session.scalar(select(User).where(User.email == email)))


def _filled(value, ids: dict):
    if isinstance(value, str):
        return int(value.format(**ids)) if value.startswith("{") and value.endswith("}") else value
    if isinstance(value, dict):
        return {key: _filled(item, ids) for key, item in value.items()}
    return value


def _send(app, ids, token, case: Case):
    url = case.url.replace("{{", "\x01").replace("}}", "\x02").format(**ids).replace("\x01", "{").replace("\x02", "}")
    if case.who == "api":
        client, headers = app.test_client(), token
    else:
        client, headers = _signed_in(app, COORDINATOR if case.who == "coordinator" else VISITING_TEACHER), {}
    kwargs: dict = {"headers": headers}
    if case.raw_json is not None:
        kwargs.update(data=case.raw_json, content_type="application/json")
    elif case.json is not None:
        kwargs.update(data=json.dumps(_filled(case.json, ids)), content_type="application/json")
    elif case.data:
        data = {key: (io.BytesIO(value[1]), f"upload.{value[0]}") if isinstance(value, tuple) else value
                for key, value in case.data.items()}
        kwargs.update(data=data)
    return client.open(url, method=case.method, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input_gets_a_4xx_that_names_the_problem(seeded, case):
    app, ids, token = seeded
    with app.app_context():
        response = _send(app, ids, token, case)
        db.session.rollback()
    body = response.get_data(as_text=True)
    if case.status is not None:
        assert response.status_code == case.status, f"{response.status_code}: {body[:300]}"
    elif case.forgiving:
        assert response.status_code == 200 or 400 <= response.status_code < 500, f"{response.status_code}: {body[:300]}"
    else:
        assert 400 <= response.status_code < 500, f"{response.status_code}: {body[:300]}"
    if case.url.startswith("/api/"):
        assert response.mimetype == "application/json", body[:300]
        payload = response.get_json()
        assert set(payload) >= {"error", "message", "fields"}
        if response.status_code == 422:
            assert payload["fields"], payload

