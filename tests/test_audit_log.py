"""The audit log viewer: one booking's approve, change and cancel by three people, with who, when and from
where; the filters, the CSV file and the API on both databases; who sees what."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest

from booking import clock, create_app
from booking.accounts.models import Role
from booking.audit.models import AuditEntry
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import create_booking
from booking.extensions import db
from tests import factories
from tests.booking_support import ZONE, single
from tests.conftest import TEST_CONFIG, login

NASTY_NAME = '=HYPERLINK("http://x")<script>alert(1)</script>'


def at(day: int, hour: int = 9) -> None:
    clock.freeze(datetime(2026, 9, day, hour, 0, tzinfo=ZONE))


def signed_in(app, user, address: str, agent: str):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    assert login(client, user).status_code == 302
    return client


@pytest.fixture
def story(app):
    """A request for the gym of 东风小学, booked on 1 September, approved on the 2nd by the gym's school admin,
    changed on the 3rd by the teacher and cancelled on the 4th by the district coordinator."""
    at(1)
    owner = factories.school(name="东风小学")
    gym = factories.resource(name="体育馆", owner_school=owner, approval_required=True)
    teacher = factories.user(display_name=NASTY_NAME, locale="en")
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=owner, display_name="王校长", locale="en")
    coordinator = factories.user(role=Role.COORDINATOR, display_name="李主任", locale="en")
    booking = create_booking(teacher, single(gym, day=10, title="篮球课")).bookings[0]
    db.session.commit()
    assert booking.status == BookingStatus.PENDING
    at(2)
    response = signed_in(app, admin, "10.0.0.2", "Browser-B").post(
        f"/bookings/{booking.id}/approve", data={f"b{booking.id}-reason": "同意"})
    assert response.status_code == 302
    at(3)
    response = signed_in(app, teacher, "10.0.0.1", "Browser-A").post(
        f"/bookings/{booking.id}/change", data={"scope": "occurrence", "day": "2026-09-10", "period_number": "3",
                                                "title": "篮球比赛", "class_name": "三年级2班", "students": "30"})
    assert response.status_code == 302, response.get_data(as_text=True)
    at(4)
    response = signed_in(app, coordinator, "10.0.0.3", "Browser-C").post(
        f"/bookings/{booking.id}/cancel", data={"scope": "occurrence", "reason": "<b>下雨</b>", "confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED
    at(5)
    return dict(booking=booking, gym=gym, owner=owner, teacher=teacher, admin=admin, coordinator=coordinator)


def api_actions(client, **args) -> list[str]:
    response = client.get("/api/v1/audit", query_string=args)
    assert response.status_code == 200, response.get_json()
    return [item["action"] for item in response.get_json()["items"]]


def test_a_bookings_history_lists_who_did_what_when_and_from_where(app, story):
    client = signed_in(app, story["coordinator"], "10.0.0.9", "Browser-C")
    booking = story["booking"]
    assert f'href="/audit/?booking={booking.id}"' in client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    page = client.get("/audit/", query_string={"booking": booking.id}).get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("<tr>")[1:]
    assert [next(name for name in ("Cancelled", "Changed", "Approved", "Booked") if name in row) for row in rows] \
        == ["Cancelled", "Changed", "Approved", "Booked"]  # newest first
    assert "李主任" in rows[0] and "10.0.0.3" in rows[0] and "Browser-C" in rows[0]
    assert "&lt;script&gt;" in rows[1] and "10.0.0.1" in rows[1] and "Browser-A" in rows[1]
    assert "王校长" in rows[2] and "10.0.0.2" in rows[2] and "Browser-B" in rows[2]
    assert "<script>" not in page and "<b>下雨</b>" not in page and "&lt;b&gt;下雨&lt;/b&gt;" in rows[0]
    entries = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.booking_ids) for e in entries] == [
        ("booking.create", story["teacher"].id, [booking.id]), ("booking.approve", story["admin"].id, [booking.id]),
        ("booking.change", story["teacher"].id, [booking.id]),
        ("booking.cancel", story["coordinator"].id, [booking.id])]
    assert {e.school_id for e in entries} == {booking.school_id}
    assert {e.resource_id for e in entries} == {booking.resource_id}


def test_the_filters_narrow_the_page_the_csv_and_the_api(app, story):
    client = signed_in(app, story["coordinator"], "10.0.0.9", "Browser-C")
    other = factories.school(name="西湖小学")
    every = ["booking.cancel", "booking.change", "booking.approve", "booking.create"]
    booking_id = story["booking"].id
    assert api_actions(client, booking=booking_id) == every
    assert api_actions(client, person=story["admin"].id) == ["booking.approve"]
    assert api_actions(client, person=story["teacher"].id) == ["booking.change", "booking.create"]
    assert api_actions(client, action="booking.cancel") == ["booking.cancel"]
    assert api_actions(client, school=story["owner"].id) == every  # the owner of the resource
    assert api_actions(client, school=story["teacher"].school_id) == every  # the class's school
    assert api_actions(client, school=other.id) == []
    assert api_actions(client, resource=story["gym"].id) == every
    assert api_actions(client, start="2026-09-02", end="2026-09-03") == ["booking.change", "booking.approve"]
    assert api_actions(client, end="2026-09-01") == ["booking.create"]
    assert client.get("/api/v1/audit", query_string={"start": "yesterday"}).status_code == 422

    page = client.get("/audit/", query_string={"person": story["admin"].id, "from": "2026-09-01"})
    assert page.status_code == 200 and "1 entry" in page.get_data(as_text=True)
    assert "王校长" in page.get_data(as_text=True).split("<tbody>")[1]
    assert "No entries match" in client.get("/audit/", query_string={"school": other.id}).get_data(as_text=True)
    bad = client.get("/audit/", query_string={"from": "soon", "person": "x"}).get_data(as_text=True)
    assert "Enter a date (YYYY-MM-DD)." in bad and "4 entries" in bad  # unreadable filters are said and ignored

    response = client.get("/audit/export.csv", query_string={"booking": booking_id, "to": "2026-09-03"})
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[4] for row in rows[1:]] == ["booking.change", "booking.approve", "booking.create"]
    assert rows[1][1] == "'" + NASTY_NAME and rows[1][9] == "10.0.0.1"  # never a formula
    assert rows[2][1] == "王校长" and rows[2][10] == "Browser-B" and rows[2][0] == "2026-09-02 09:00:00"


def test_a_school_admin_sees_their_schools_entries_and_a_teacher_none(app, story):
    class_admin = factories.user(role=Role.SCHOOL_ADMIN, school_id=story["teacher"].school_id)
    stranger = factories.user(role=Role.SCHOOL_ADMIN, locale="en")
    factories.resource(owner_school_id=stranger.school_id)  # resource.create is not written by the factory
    assert len(api_actions(signed_in(app, class_admin, "10.0.0.5", "x"))) == 4
    assert len(api_actions(signed_in(app, story["admin"], "10.0.0.5", "x"))) == 4
    client = signed_in(app, stranger, "10.0.0.5", "x")
    assert api_actions(client) == []
    assert api_actions(client, booking=story["booking"].id, school=story["owner"].id) == []
    assert "No entries match" in client.get("/audit/").get_data(as_text=True)
    teacher = signed_in(app, story["teacher"], "10.0.0.1", "Browser-A")
    assert teacher.get("/audit/").status_code == 403
    assert teacher.get("/audit/export.csv").status_code == 403
    assert teacher.get("/api/v1/audit").status_code == 403
    page = teacher.get(f"/bookings/{story['booking'].id}").get_data(as_text=True)
    assert "/audit/" not in page


def test_the_page_speaks_chinese(app, story):
    story["coordinator"].locale = "zh_CN"
    db.session.commit()
    page = signed_in(app, story["coordinator"], "10.0.0.9", "x").get(
        "/audit/", query_string={"booking": story["booking"].id}).get_data(as_text=True)
    assert "审计日志" in page and "已批准" in page and "Approved" not in page


def test_behind_a_trusted_proxy_the_forwarded_client_is_recorded(app, database_url, story):
    first, second = (create_booking(story["teacher"], single(story["gym"], day=day)).bookings[0] for day in (11, 14))
    db.session.commit()
    proxied = create_app({"SQLALCHEMY_DATABASE_URI": database_url, **TEST_CONFIG, "TRUSTED_PROXIES": 1})
    with proxied.app_context():
        client = signed_in(proxied, story["admin"], "10.0.0.254", "Browser-B")
        assert client.post(f"/bookings/{first.id}/approve", headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 302
        db.engine.dispose()
    # Without a trusted proxy a forged header changes nothing.
    client = signed_in(app, story["admin"], "10.0.0.254", "Browser-B")
    response = client.post(f"/bookings/{second.id}/reject", headers={"X-Forwarded-For": "203.0.113.8"},
                           data={f"b{second.id}-reason": "已满"})
    assert response.status_code == 302, response.get_data(as_text=True)
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action.in_(["booking.approve", "booking.reject"]))
                                 .order_by(AuditEntry.id.desc()).limit(2)).all()
    assert [(e.action, e.booking_ids, e.client_address) for e in entries] == [
        ("booking.reject", [second.id], "10.0.0.254"), ("booking.approve", [first.id], "203.0.113.7")]


def test_what_changed_is_said_in_words_not_in_code(app, story):
    """Found raw: ``resource_id: 1; status: pending; start: 2026-09-10T00:00:00+00:00`` and each action's code
    under its name. Keys in the reader's language, instants in local time, codes and ids by their names."""
    client = signed_in(app, story["coordinator"], "10.0.0.9", "x")
    page = client.get("/audit/", query_string={"booking": story["booking"].id}).get_data(as_text=True)
    rows = page.split("<tbody>")[1].split("<tr>")[1:]
    cancelled, booked = rows[0], rows[-1]
    start = story["booking"].starts_at.astimezone(ZONE)
    assert "Resource</span> 体育馆" in booked and "Status</span> Waiting for approval" in booked
    assert f"Start</span> Sep 10, 2026 {start:%H:%M}" in booked
    assert "Which</span> Only this date" in cancelled and "Reason</span> &lt;b&gt;下雨&lt;/b&gt;" in cancelled
    shown = "".join(part.split("</ul>")[0] for part in page.split('class="audit-details">')[1:])
    for code in ("resource_id", "+00:00", "pending", "occurrence", "ids"):
        assert code not in shown, code
    assert "booking.create" not in page.split("<tbody>")[1]  # the action's name only, its code is in the CSV
    rows = list(csv.reader(io.StringIO(client.get("/audit/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[-1][-1] == f"Resource: 体育馆; Status: Waiting for approval; Start: Sep 10, 2026 {start:%H:%M}"


def test_details_keep_what_they_cannot_name(app):
    from flask_babel import force_locale

    from booking.audit_log.details import Names, detail_lines

    with force_locale("en"):
        lines = detail_lines({"mystery": "x", "day": "2026-02-30", "scope": "category:lab", "enabled": False,
                              "ids": [3, 4], "changes": {"name": ["旧", "新"]}, "resource_id": 99,
                              "on_bookings": "cancel", "term_id": 7}, Names(terms={7: "2026秋"}))
    assert lines == [("mystery", "x"), ("Date", "2026-02-30"), ("Which", "Category: Laboratory"),
                     ("Switched on", "No"), ("Booking numbers", "#3, #4"), ("Values", "Name: 旧, 新"),
                     ("Resource", "#99"), ("Bookings in the way", "Cancelled them"), ("Term", "2026秋")]
