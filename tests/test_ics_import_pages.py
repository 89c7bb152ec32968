"""The coordinator's calendar import in the browser: upload or address → preview → import."""
from __future__ import annotations

import io
import re
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select

from booking.accounts.models import Role
from booking.calendars.fetch import is_public
from booking.extensions import db
from booking.schools.models import Closure, Term
from tests import factories
from tests.test_ics_import import HOLIDAYS, TERM_FILE

PAYLOAD = re.compile(r'name="payload" type="hidden" value="([^"]+)"')


class CalendarServer(BaseHTTPRequestHandler):
    """Serves the test calendars; /slow.ics answers too late, /huge.ics is too big, /to-*.ics redirect."""

    REDIRECTS = {"/to-holidays.ics": "/holidays.ics", "/to-itself.ics": "/to-itself.ics",
                 "/to-localhost.ics": "http://localhost:{port}/holidays.ics"}

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        self.server.paths.append(self.path)
        if self.path in self.REDIRECTS:
            self.send_response(302)
            self.send_header("Location", self.REDIRECTS[self.path].format(port=self.server.server_address[1]))
            self.end_headers()
            return
        if self.path == "/slow.ics":
            time.sleep(1.5)
        if self.path == "/missing.ics":
            self.send_error(404)
            return
        body = b"BEGIN:VCALENDAR\r\n" + b"X" * (2 * 1024 * 1024) if self.path == "/huge.ics" else HOLIDAYS
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def calendar_http_server():
    """The server itself (``.paths``: what it was asked for); on 127.0.0.1, which the app allows."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), CalendarServer)
    server.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def calendar_server(calendar_http_server):
    return f"http://127.0.0.1:{calendar_http_server.server_address[1]}"


@pytest.fixture
def coordinator_client(app, login_as):
    app.config["CALENDAR_IMPORT_TIMEOUT"] = 0.5
    app.config["ICS_FETCH_ALLOWED_HOSTS"] = ["127.0.0.1"]  # the tests' own calendar server
    # English pages, so the tests can look for the messages' words.
    return login_as(factories.user(role=Role.COORDINATOR, locale="en"))


def _upload(client, data: bytes, **fields):
    form = {"kind": "closures", "school_id": "", "remove_missing": "y", "url": "",
            "file": (io.BytesIO(data), "holidays.ics"), **fields}
    return client.post("/admin/calendar-import", data=form, content_type="multipart/form-data")


def closure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Closure))


def test_preview_then_import_then_the_same_file_changes_nothing(coordinator_client):
    client = coordinator_client
    assert client.get("/admin/calendar-import").status_code == 200
    preview = _upload(client, HOLIDAYS)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "国庆节" in page and "运动会" in page and closure_count() == 0
    done = client.post("/admin/calendar-import/apply", data={"payload": PAYLOAD.search(page).group(1)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/closures")
    assert closure_count() == 3
    again = _upload(client, HOLIDAYS).get_data(as_text=True)
    assert 'name="payload"' not in again  # nothing to import: no button
    client.post("/admin/calendar-import/apply", data={"payload": PAYLOAD.search(page).group(1)})
    assert closure_count() == 3


def test_term_dates_import_from_the_same_page(coordinator_client):
    page = _upload(coordinator_client, TERM_FILE, kind="terms").get_data(as_text=True)
    response = coordinator_client.post("/admin/calendar-import/apply", data={"payload": PAYLOAD.search(page).group(1)})
    assert response.headers["Location"].endswith("/admin/terms")
    assert db.session.scalar(select(func.count()).select_from(Term)) == 2


def test_a_preview_with_problems_offers_no_import(coordinator_client):
    factories.term(name="手工学期", start_date=date(2027, 3, 1), end_date=date(2027, 3, 31))
    response = _upload(coordinator_client, TERM_FILE, kind="terms")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "手工学期" in page and 'name="payload"' not in page
    assert db.session.scalar(select(func.count()).select_from(Term)) == 1


def test_a_web_address_is_imported(coordinator_client, calendar_server):
    page = coordinator_client.post("/admin/calendar-import", data={
        "kind": "closures", "school_id": "", "url": calendar_server + "/holidays.ics"}).get_data(as_text=True)
    assert "国庆节" in page and PAYLOAD.search(page)


@pytest.mark.parametrize("path, fragment", [
    ("/slow.ics", "within 0.5 seconds"), ("/huge.ics", "larger than"), ("/missing.ics", "error 404"),
])
def test_a_web_address_that_fails_says_why(coordinator_client, calendar_server, path, fragment):
    response = coordinator_client.post("/admin/calendar-import", data={
        "kind": "closures", "school_id": "", "url": calendar_server + path})
    assert response.status_code == 422 and fragment in response.get_data(as_text=True)
    assert closure_count() == 0


@pytest.mark.parametrize("fields, fragment", [
    ({"url": "ftp://example.cn/x.ics"}, "https://"),
    ({"url": "http://127.0.0.1:9/closed.ics"}, "could not be downloaded"),
    ({}, "Choose an .ics file"),
])
def test_missing_or_unusable_addresses_are_refused(coordinator_client, fields, fragment):
    response = coordinator_client.post("/admin/calendar-import", data={"kind": "closures", "school_id": "", **fields})
    assert response.status_code == 422 and fragment in response.get_data(as_text=True)


def _import_from(client, url: str):
    return client.post("/admin/calendar-import", data={"kind": "closures", "school_id": "", "url": url})


REFUSED = "only be imported from public web servers"


def test_a_server_on_a_host_not_allowed_is_never_asked(app, coordinator_client, calendar_http_server,
                                                      calendar_server):
    app.config["ICS_FETCH_ALLOWED_HOSTS"] = []
    response = _import_from(coordinator_client, calendar_server + "/holidays.ics")
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert calendar_http_server.paths == [] and closure_count() == 0


@pytest.mark.parametrize("url", [
    "http://10.1.2.3/holidays.ics", "https://192.168.0.1/x.ics", "http://172.16.5.4/x.ics",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/x.ics", "http://0.0.0.0/x.ics",
    "http://224.0.0.1/x.ics", "http://[::ffff:127.0.0.1]/x.ics", "http://2130706433/x.ics",
    "webcal://localhost/x.ics", "http://[fe80::1]/x.ics", "http://240.0.0.1/x.ics",
])
def test_private_local_and_reserved_addresses_are_refused(coordinator_client, url):
    response = _import_from(coordinator_client, url)
    assert response.status_code == 422 and REFUSED in response.get_data(as_text=True)


def test_redirects_are_followed_only_to_allowed_addresses(coordinator_client, calendar_http_server,
                                                          calendar_server):
    followed = _import_from(coordinator_client, calendar_server + "/to-holidays.ics").get_data(as_text=True)
    assert "国庆节" in followed and calendar_http_server.paths == ["/to-holidays.ics", "/holidays.ics"]
    calendar_http_server.paths.clear()
    to_localhost = _import_from(coordinator_client, calendar_server + "/to-localhost.ics")
    assert to_localhost.status_code == 422 and REFUSED in to_localhost.get_data(as_text=True)
    assert calendar_http_server.paths == ["/to-localhost.ics"]  # the second hop was checked, not fetched
    looping = _import_from(coordinator_client, calendar_server + "/to-itself.ics")
    assert looping.status_code == 422 and "redirects too many times" in looping.get_data(as_text=True)
    assert closure_count() == 0


def test_which_addresses_are_public():
    assert is_public("114.114.114.114") and is_public("2400:3200::1")
    for ip in ("127.0.0.1", "10.0.0.1", "100.64.0.1", "169.254.1.1", "::1", "fe80::1%eth0", "fc00::1",
               "::ffff:192.168.1.1", "255.255.255.255", "ff02::1"):
        assert not is_public(ip), ip


def test_bad_uploads_are_refused_on_the_form(coordinator_client):
    for data, fragment in ((b"\x89PNG\r\n", "not an iCalendar"), (b"x" * (1024 * 1024 + 10), "larger than")):
        response = _upload(coordinator_client, data)
        assert response.status_code == 422 and fragment in response.get_data(as_text=True)
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
    both = _upload(coordinator_client, HOLIDAYS, url="https://example.cn/x.ics")
    assert both.status_code == 422 and "not both" in both.get_data(as_text=True)
    unknown_school = _upload(coordinator_client, HOLIDAYS, school_id="99999")
    assert unknown_school.status_code == 422
    assert closure_count() == 0


def test_a_tampered_preview_is_refused(coordinator_client):
    page = _upload(coordinator_client, HOLIDAYS).get_data(as_text=True)
    payload = PAYLOAD.search(page).group(1)
    assert coordinator_client.post("/admin/calendar-import/apply", data={"payload": payload[:-3] + "abc"}) \
        .status_code == 400
    assert coordinator_client.post("/admin/calendar-import/apply", data={}).status_code == 400
    assert closure_count() == 0


def test_only_coordinators_import(app, login_as):
    client = login_as(factories.user(role=Role.SCHOOL_ADMIN))
    assert client.get("/admin/calendar-import").status_code == 403
    assert _upload(client, HOLIDAYS).status_code == 403
