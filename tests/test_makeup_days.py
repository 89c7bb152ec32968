"""Make-up teaching days and the breaks between terms, through the services, the pages and the API."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from booking.accounts.models import Role
from booking.bookings.errors import BookingRefused, NeedsConfirmation
from booking.bookings.models import Booking
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.resources.models import OutsideTerm
from booking.schools.makeup import MakeupDayInput, create_makeup_day
from booking.schools.models import MakeupDay
from booking.validation import ValidationFailed
from tests import factories
from tests.api_support import assert_documented, bearer, get_json
from tests.booking_support import freeze, local, single
from tests.teacher_support import auto_confirm, build_district
from tests.test_booking_pages import field_error, text_of

SUNDAY = date(2026, 9, 20)  # 国庆节补班, taught as a Friday here
FRIDAY = 4


@pytest.fixture
def setting(app):
    """An English-speaking teacher, a lab of their school open Monday to Friday, the year's two terms
    and the make-up Sunday, made by the district coordinator."""
    freeze()
    school = factories.school(name="First Primary")
    teacher = factories.user(locale="en", school=school)
    lab = factories.resource(owner_school=school, name="Physics lab")
    factories.term(name="Autumn", start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    factories.term(name="Spring", start_date=date(2027, 2, 22), end_date=date(2027, 7, 9))
    coordinator = factories.user(role=Role.COORDINATOR, locale="en")
    create_makeup_day(MakeupDayInput(SUNDAY, FRIDAY, "国庆节补班"), coordinator)
    db.session.commit()
    return teacher, lab, coordinator


def bookings_of(user) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(Booking.booked_by_id == user.id).order_by(Booking.starts_at)))


# --- make-up days ----------------------------------------------------------------------------------

def test_a_makeup_sunday_is_bookable_and_a_plain_sunday_is_not(setting):
    teacher, lab, _ = setting
    create_booking(teacher, single(lab, month=9, day=20))
    with pytest.raises(BookingRefused) as refused:
        create_booking(teacher, single(lab, month=9, day=27))
    assert [r.kind.value for r in refused.value.refusals] == ["outside_hours"]


def test_a_weekly_friday_series_also_meets_on_the_makeup_sunday(setting):
    teacher, lab, _ = setting
    created = create_booking(teacher, single(lab, month=9, day=4, rrule="FREQ=WEEKLY;BYDAY=FR", until=date(2026, 10, 2)))
    assert [b.starts_at for b in created.bookings] == [local(9, d, 9, 50) for d in (4, 11, 18, 20, 25)] + [
        local(10, 2, 9, 50)]
    assert all(b.series_id == created.series.id for b in created.bookings)


def test_a_makeup_day_is_one_per_date_and_school(setting):
    _, _, coordinator = setting
    with pytest.raises(ValidationFailed) as failed:
        create_makeup_day(MakeupDayInput(SUNDAY, 0, "again"), coordinator)
    assert "day" in failed.value.errors
    create_makeup_day(MakeupDayInput(SUNDAY, 0, "一校自己的", factories.school().id), coordinator)


def test_the_week_grid_shows_the_makeup_sunday_with_free_periods(setting, client, login_as):
    teacher, lab, _ = setting
    login_as(teacher)
    response = client.get(f"/resources/{lab.id}?week=2026-09-14")
    assert "Make-up day: Friday timetable" in text_of(response)
    assert f'/bookings/new/{lab.id}?day=2026-09-20&amp;period_number=3' in response.get_data(as_text=True)
    assert "2026-09-27" not in client.get(f"/resources/{lab.id}?week=2026-09-21").get_data(as_text=True)


def test_the_free_search_finds_rooms_on_a_makeup_sunday(setting, client, login_as):
    teacher, lab, _ = setting
    login_as(teacher)
    assert "Physics lab" in text_of(client.get("/bookings/search?category=lab&date=2026-09-20&period=3"))
    assert "Physics lab" not in text_of(client.get("/bookings/search?category=lab&date=2026-09-27&period=3"))


def test_the_coordinator_adds_edits_and_deletes_makeup_days_on_the_page(setting, client, login_as):
    _, _, coordinator = setting
    login_as(coordinator)
    assert "国庆节补班" in text_of(client.get("/admin/makeup-days"))
    assert "/admin/makeup-days" in client.get("/admin/closures").get_data(as_text=True)
    bad = client.post("/admin/makeup-days/new", data={"day": "2026-10-10", "follows_weekday": "9", "reason": ""})
    assert bad.status_code == 422 and field_error(bad, "reason") and field_error(bad, "follows_weekday")
    assert client.post("/admin/makeup-days/new", data={"day": "2026-10-10", "follows_weekday": "2",
                                                        "reason": "国庆节补班", "school_id": ""}).status_code == 302
    added = db.session.scalar(select(MakeupDay).where(MakeupDay.day == date(2026, 10, 10)))
    assert (added.follows_weekday, added.school_id) == (2, None)
    assert client.post(f"/admin/makeup-days/{added.id}", data={"day": "2026-10-10", "follows_weekday": "3",
                                                               "reason": "改为周四课表"}).status_code == 302
    db.session.refresh(added)
    assert added.follows_weekday == 3
    added_id = added.id  # the request's commit expires the instance, and then its row is gone
    assert client.post(f"/admin/makeup-days/{added_id}/delete", data={"confirmed": "1"}).status_code == 302
    assert db.session.get(MakeupDay, added_id) is None


def test_teachers_may_not_open_the_makeup_days_page(setting, client, login_as):
    teacher, _, _ = setting
    login_as(teacher)
    assert client.get("/admin/makeup-days").status_code in (403, 404)


def test_the_api_lists_adds_and_deletes_makeup_days(setting, client):
    teacher, _, coordinator = setting
    listed = get_json(client, "/api/v1/makeup-days?from=2026-09-01", teacher)
    assert [(d["date"], d["follows_weekday"]) for d in listed["items"]] == [("2026-09-20", FRIDAY)]
    assert_documented(client, listed, "/makeup-days")
    body = {"date": "2026-10-10", "follows_weekday": 2, "reason": "国庆节补班"}
    assert client.post("/api/v1/makeup-days", json=body, headers=bearer(teacher)).status_code == 403
    headers = bearer(coordinator)
    created = client.post("/api/v1/makeup-days", json=body, headers=headers)
    assert created.status_code == 201 and created.get_json()["follows_weekday"] == 2
    again = client.post("/api/v1/makeup-days", json=body, headers=headers)
    assert again.status_code == 422 and "day" in again.get_json()["fields"]
    assert client.post("/api/v1/makeup-days", json={**body, "follows_weekday": 7}, headers=headers).status_code == 422
    deleted = client.delete(f"/api/v1/makeup-days/{created.get_json()['id']}", headers=headers)
    assert deleted.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(MakeupDay)) == 1


# --- outside every term ----------------------------------------------------------------------------

def _winter(lab, **kw):
    """Period 3 on Monday 1 February 2027, between the two terms."""
    start, end = local(2, 1, 9, 50, year=2027), local(2, 1, 10, 30, year=2027)
    return single(lab, start=start, end=end, **kw)


def test_a_booking_in_the_winter_break_needs_confirmation_by_default(setting):
    teacher, lab, _ = setting
    with pytest.raises(NeedsConfirmation) as asked:
        create_booking(teacher, _winter(lab))
    assert [r.kind.value for r in asked.value.refusals] == ["outside_term"] and "outside_term_ok" in asked.value.errors
    assert bookings_of(teacher) == []
    create_booking(teacher, _winter(lab, outside_term_ok=True))
    assert len(bookings_of(teacher)) == 1


def test_a_resource_set_to_refuse_refuses_and_one_set_to_allow_allows(setting):
    teacher, lab, _ = setting
    lab.outside_term = OutsideTerm.REFUSE
    db.session.commit()
    with pytest.raises(BookingRefused) as refused:
        create_booking(teacher, _winter(lab, outside_term_ok=True))
    assert [r.kind.value for r in refused.value.refusals] == ["outside_term"]
    lab.outside_term = OutsideTerm.ALLOW
    db.session.commit()
    create_booking(teacher, _winter(lab))
    assert len(bookings_of(teacher)) == 1


def test_the_form_asks_to_confirm_and_books_once_confirmed(setting, client, login_as):
    teacher, lab, _ = setting
    login_as(teacher)
    data = {"day": "2027-02-01", "period_number": "3", "title": "Optics", "class_name": "Class 3-2", "students": "30"}
    asked = client.post(f"/bookings/new/{lab.id}", data=data)
    assert asked.status_code == 422 and "between the terms Autumn and Spring" in field_error(asked, "outside_term_ok")
    assert 'name="outside_term_ok"' in asked.get_data(as_text=True) and bookings_of(teacher) == []
    assert client.post(f"/bookings/new/{lab.id}", data={**data, "outside_term_ok": "y"}).status_code == 302
    assert len(bookings_of(teacher)) == 1


def test_the_api_answers_422_outside_term_until_the_body_says_it_is_meant(setting, client):
    teacher, lab, _ = setting
    headers = bearer(teacher)
    body = {"resource_id": lab.id, "start": "2027-02-01T09:50:00+08:00", "end": "2027-02-01T10:30:00+08:00",
            "title": "寒假兴趣班"}
    refused = client.post("/api/v1/bookings", json=body, headers=headers)
    answer = refused.get_json()
    assert refused.status_code == 422 and answer["error"] == "outside_term"
    assert [c["kind"] for c in answer["conflicts"]] == ["outside_term"] and "outside_term_ok" in answer["fields"]
    assert client.post("/api/v1/bookings", json={**body, "outside_term_ok": "yes"}, headers=headers).status_code == 422
    assert client.post("/api/v1/bookings", json={**body, "outside_term_ok": True}, headers=headers).status_code == 201


def test_the_resource_setting_is_in_the_admin_form_and_the_api(setting, client, login_as):
    _, lab, coordinator = setting
    headers = bearer(coordinator)
    changed = client.patch(f"/api/v1/resources/{lab.id}", json={"outside_term": "refuse"}, headers=headers)
    assert changed.status_code == 200, changed.get_data(as_text=True)
    assert changed.get_json()["resource"]["rules"]["outside_term"] == "refuse"
    assert client.patch(f"/api/v1/resources/{lab.id}", json={"outside_term": "sometimes"},
                        headers=headers).status_code == 422
    login_as(coordinator)
    page = client.get(f"/resources/{lab.id}/edit").get_data(as_text=True)
    assert 'name="outside_term"' in page and '<option selected value="refuse">' in page


def test_an_edit_of_the_opening_hours_judges_a_makeup_sunday_by_the_weekday_it_follows(setting, client):
    teacher, lab, coordinator = setting
    create_booking(teacher, single(lab, month=9, day=20))
    headers = bearer(coordinator)
    afternoons = [{"weekday": d, "opens": "13:00", "closes": "17:00"} for d in range(5)]
    refused = client.patch(f"/api/v1/resources/{lab.id}", json={"opening_hours": afternoons}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["broken"][0]["reasons"][0]["kind"] == "outside_hours"
    mornings = [{"weekday": d, "opens": "08:00", "closes": "12:00"} for d in range(5)]
    assert client.patch(f"/api/v1/resources/{lab.id}", json={"opening_hours": mornings},
                        headers=headers).status_code == 200


def test_a_visit_request_between_terms_asks_and_then_goes_through(login_as):
    district = build_district()
    auto_confirm(district.lead.district_id)
    factories.term(name="Spring", start_date=date(2027, 2, 22), end_date=date(2027, 7, 9))
    db.session.commit()
    client = login_as(district.teacher_a)
    data = {"subject": "music", "day": "2027-02-04", "period_number": "2", "class_name": "三年级", "students": "12",
            "resource_id": str(district.zhang.resource_id)}
    asked = client.post("/teachers/visit", data=data)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 422 and 'name="outside_term_ok" value="y"' in page
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
    assert client.post("/teachers/visit", data={**data, "outside_term_ok": "y"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_moving_a_booking_into_the_winter_break_asks_first(setting, client, login_as):
    teacher, lab, _ = setting
    [booking] = create_booking(teacher, single(lab, month=9, day=3)).bookings
    db.session.commit()
    login_as(teacher)
    data = {"scope": "occurrence", "day": "2027-02-01", "period_number": "3", "title": "科学实验",
            "class_name": "三年级2班", "students": "30"}
    asked = client.post(f"/bookings/{booking.id}/change", data=data)
    assert asked.status_code == 422 and "between the terms Autumn and Spring" in field_error(asked, "outside_term_ok")
    db.session.expire_all()
    assert booking.starts_at == local(9, 3, 9, 50)
    assert client.post(f"/bookings/{booking.id}/change", data={**data, "outside_term_ok": "y"}).status_code == 302
    db.session.expire_all()
    assert booking.starts_at == local(2, 1, 9, 50, year=2027)


def test_a_series_into_the_break_previews_the_dates_to_confirm_and_books_them_once_confirmed(setting, client, login_as):
    teacher, lab, _ = setting
    login_as(teacher)
    data = {"day": "2027-01-08", "period_number": "3", "title": "Optics", "class_name": "Class 3-2", "students": "30",
            "repeat": "1", "until": "2027-02-26"}
    preview = client.post(f"/bookings/new/{lab.id}", data=data)
    page = text_of(preview)
    assert preview.status_code == 200 and "Between two terms" in page and "Book all 8 dates" in page
    assert 'name="outside_term_ok"' in preview.get_data(as_text=True) and bookings_of(teacher) == []
    unconfirmed = client.post(f"/bookings/new/{lab.id}", data={**data, "action": "confirm"})
    assert unconfirmed.status_code == 422 and bookings_of(teacher) == []
    done = client.post(f"/bookings/new/{lab.id}", data={**data, "action": "confirm", "outside_term_ok": "y"})
    assert done.status_code == 302 and len(bookings_of(teacher)) == 8
