"""The waitlist in the browser and through the API: "wait for this slot" on a refusal, the section on
我的预约 with its position, offer, accept and leave buttons, in English and Chinese; /api/v1/waitlist."""
import re
from datetime import timedelta, timezone
from html import unescape

import pytest

from booking.accounts.models import Role
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import cancel_booking, create_booking
from booking.extensions import db
from booking.waitlist.models import EntryStatus, WaitlistEntry
from tests import factories
from tests.api_support import assert_documented, bearer
from tests.booking_support import NOW, freeze, single

BASE = {"day": "2026-09-03", "period_number": "3", "title": "Optics", "class_name": "Class 3-2", "students": "30"}


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


@pytest.fixture
def setting(app):
    """A lab whose Thursday 3 September 第3节 another school holds; an English and a Chinese teacher."""
    freeze()
    lab = factories.resource(name="Physics lab")
    holder = factories.user()
    held = create_booking(holder, single(lab)).bookings[0]
    db.session.commit()
    return lab, held, factories.user(locale="en"), factories.user(locale="zh_CN")


def _entries(user):
    db.session.expire_all()
    return db.session.query(WaitlistEntry).filter_by(user_id=user.id).all()


def test_a_refusal_offers_to_wait_and_waiting_puts_the_teacher_in_line(setting, client, login_as):
    lab, held, teacher, _ = setting
    login_as(teacher)
    refused = client.post(f"/bookings/new/{lab.id}", data=BASE)
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert f'form="booking-form" formaction="/waitlist/join/{lab.id}"' in html and "Wait for this slot" in text_of(refused)
    joined = client.post(f"/waitlist/join/{lab.id}", data=BASE)
    assert joined.status_code == 302 and joined.headers["Location"].endswith("/bookings/mine")
    [entry] = _entries(teacher)
    assert (entry.starts_at, entry.title, entry.students) == (held.starts_at, "Optics", 30)
    page = text_of(client.get("/bookings/mine"))
    assert "My waitlist" in page and "Physics lab" in page and "No. 1 in line" in page and "Leave the waitlist" in page


def test_a_free_time_or_a_series_offers_no_waiting(setting, client, login_as):
    lab, _, teacher, _ = setting
    login_as(teacher)
    refused = client.post(f"/bookings/new/{lab.id}", data={**BASE, "students": "80"})  # too many: not held
    assert refused.status_code == 409 and "/waitlist/join/" not in refused.get_data(as_text=True)
    free = client.post(f"/waitlist/join/{lab.id}", data={**BASE, "day": "2026-09-04"})
    assert free.status_code == 422 and "This time is free: book it instead of waiting." in text_of(free)
    assert _entries(teacher) == []


def test_chinese_page_and_leaving(setting, client, login_as):
    lab, _, _, teacher = setting
    login_as(teacher)
    assert "排队等候" in text_of(client.post(f"/bookings/new/{lab.id}", data=BASE))
    client.post(f"/waitlist/join/{lab.id}", data=BASE)
    page = text_of(client.get("/bookings/mine"))
    assert "我的排队" in page and "退出排队" in page
    [entry] = _entries(teacher)
    response = client.post(f"/waitlist/{entry.id}/leave")
    assert response.status_code == 302
    assert _entries(teacher)[0].status == EntryStatus.LEFT
    assert "我的排队" in text_of(client.get("/bookings/mine"))


def _offered_a_gym(client, login_as, before_joining=lambda: None):
    """An English-speaking teacher (signed in) waits for a held gym (approval needed); its holder cancels,
    so the teacher has an offer. ``before_joining`` looks at the pages first."""
    freeze()
    gym = factories.resource(name="Gym", approval_required=True, category="gym")
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    held = create_booking(admin, single(gym)).bookings[0]
    teacher = factories.user(locale="en")
    db.session.commit()
    login_as(teacher)
    before_joining()
    client.post(f"/waitlist/join/{gym.id}", data=BASE)
    cancel_booking(admin, held)
    db.session.commit()
    return teacher


def test_an_offer_shows_until_when_and_accepting_books_it(app, client, login_as):
    teacher = _offered_a_gym(client, login_as)
    page = text_of(client.get("/bookings/mine"))
    assert "Offered until 07:30" in page and "Accept" in page  # 07:00 + 30 minutes, district time
    [entry] = _entries(teacher)
    accepted = client.post(f"/waitlist/{entry.id}/accept")
    assert accepted.status_code == 302
    booking = db.session.query(Booking).filter_by(booked_by_id=teacher.id).one()
    assert booking.status == BookingStatus.PENDING and _entries(teacher)[0].status == EntryStatus.BOOKED
    again = client.post(f"/waitlist/{entry.id}/accept")
    assert again.status_code == 422 and "There is no open offer" in text_of(again)


def test_someone_elses_place_is_not_found(setting, client, login_as):
    lab, _, teacher, other = setting
    login_as(other)
    client.post(f"/waitlist/join/{lab.id}", data=BASE)
    [entry] = _entries(other)
    client.post("/logout")
    login_as(teacher)
    assert client.post(f"/waitlist/{entry.id}/leave").status_code == 404
    assert client.post(f"/waitlist/{entry.id}/accept").status_code == 404


# --- the API ---------------------------------------------------------------------------------------

def _wish(resource, **kw) -> dict:
    return {"resource_id": resource.id, "start": "2026-09-03T09:50:00+08:00", "end": "2026-09-03T10:30:00+08:00",
            "title": "科学实验", "class_name": "三年级2班", "students": 30, **kw}


def test_api_join_list_and_leave(setting, client):
    lab, held, teacher, _ = setting
    headers = bearer(teacher)
    joined = client.post("/api/v1/waitlist", json=_wish(lab), headers=headers)
    assert joined.status_code == 201, joined.get_data(as_text=True)
    body = joined.get_json()
    assert (body["status"], body["position"], body["offer"]) == ("waiting", 1, None)
    listed = client.get("/api/v1/waitlist", headers=headers)
    assert listed.status_code == 200 and [e["id"] for e in listed.get_json()["items"]] == [body["id"]]
    assert_documented(client, listed.get_json(), "/waitlist")
    again = client.post("/api/v1/waitlist", json=_wish(lab), headers=headers)
    assert again.status_code == 422
    free = client.post("/api/v1/waitlist", json=_wish(lab, start="2026-09-04T09:50:00+08:00",
                                                        end="2026-09-04T10:30:00+08:00"), headers=headers)
    assert free.status_code == 422 and "start" in free.get_json()["fields"]
    too_many = client.post("/api/v1/waitlist", json=_wish(lab, students=80), headers=headers)
    assert too_many.status_code == 409 and [c["kind"] for c in too_many.get_json()["conflicts"]] == ["capacity"]
    undeclared = client.post("/api/v1/waitlist", json=_wish(lab, recurrence={"rrule": "FREQ=WEEKLY"}), headers=headers)
    assert undeclared.status_code == 422
    left = client.delete(f"/api/v1/waitlist/{body['id']}", headers=headers)
    assert left.status_code == 200 and left.get_json()["status"] == "left"
    assert client.get("/api/v1/waitlist", headers=headers).get_json()["items"] == []
    assert client.get("/api/v1/waitlist?status=left", headers=headers).get_json()["total"] == 1
    assert client.delete(f"/api/v1/waitlist/{body['id']}", headers=headers).status_code == 422


def test_api_waits_for_a_bell_period_as_a_booking_names_it(setting, client):
    """Regression (a new user's walk, 2026-12-06): the waitlist took start and end only ("Unknown field")."""
    lab, held, teacher, _ = setting
    wish = {"resource_id": lab.id, "day": "2026-09-03", "period_number": 3, "title": "科学实验", "students": 30}
    joined = client.post("/api/v1/waitlist", json=wish, headers=bearer(teacher))
    assert joined.status_code == 201, joined.get_json()
    assert joined.get_json()["start"] == held.starts_at.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z")
    both = client.post("/api/v1/waitlist", json={**wish, "start": "2026-09-03T09:50:00+08:00"}, headers=bearer(teacher))
    assert both.status_code == 422


def test_api_offer_and_accept(app, client):
    freeze()
    gym = factories.resource(name="Gym", approval_required=True, category="gym")
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    held = create_booking(admin, single(gym)).bookings[0]
    teacher, other = factories.user(), factories.user()
    headers = bearer(teacher)
    entry_id = client.post("/api/v1/waitlist", json=_wish(gym), headers=headers).get_json()["id"]
    cancel_booking(admin, held)
    db.session.commit()
    [offered] = client.get("/api/v1/waitlist", headers=headers).get_json()["items"]
    assert offered["status"] == "offered"
    assert offered["offer"]["expires_at"] == (NOW + timedelta(minutes=30)).astimezone(timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    assert client.post(f"/api/v1/waitlist/{entry_id}/accept", headers=bearer(other)).status_code == 404
    accepted = client.post(f"/api/v1/waitlist/{entry_id}/accept", headers=headers)
    assert accepted.status_code == 201, accepted.get_data(as_text=True)
    assert accepted.get_json()["entry"]["status"] == "booked"
    assert accepted.get_json()["booking"]["status"] == "pending"


def test_the_weak_first_setting_on_the_resource_api(app, client):
    freeze()
    lab = factories.resource()
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school)
    changed = client.patch(f"/api/v1/resources/{lab.id}", json={"waitlist_weak_first": True}, headers=bearer(admin))
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["resource"]["rules"]["waitlist_weak_first"] is True
    db.session.expire_all()
    assert db.session.get(type(lab), lab.id).waitlist_weak_first is True


def test_the_home_page_shows_an_open_offer(app, client, login_as):
    def nothing_offered_yet():
        assert "A time you waited for is free" not in text_of(client.get("/"))

    _offered_a_gym(client, login_as, nothing_offered_yet)
    page = text_of(client.get("/"))
    assert "A time you waited for is free" in page and "Gym" in page and "Offered until 07:30" in page


def test_the_waitlist_page_shows_the_entries_beside_the_headers_count_of_requests(setting, client, login_as):
    """Regression (a new user's walk, 2026-12-06): the header's count of requests to answer was named
    ``waiting`` in base.html too and hid the page's list: a 500 for whoever has requests to answer."""
    lab, _, teacher, _ = setting
    admin = factories.user(role=Role.SCHOOL_ADMIN, locale="en")
    gym = factories.resource(owner_school=admin.school, name="Gym", approval_required=True)
    create_booking(teacher, single(gym, day=4))  # a request the admin answers: the header counts it
    db.session.commit()
    login_as(admin)
    assert client.post(f"/waitlist/join/{lab.id}", data=BASE).status_code == 302
    page = client.get("/waitlist/")
    assert page.status_code == 200
    assert "Physics lab" in text_of(page) and "No. 1 in line" in text_of(page)
