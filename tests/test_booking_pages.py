"""Booking in the browser: the week grid, the form by period or time, refusals with alternatives,
the series preview (holidays skipped, clashes shown), booking the free dates, bad input, CSRF."""
import re
from datetime import date
from html import unescape

import pytest

from booking.accounts.models import Role
from booking.bookings.models import Booking, BookingSeries, BookingStatus
from booking.bookings.services import create_booking
from booking.extensions import db
from tests import factories
from tests.booking_support import freeze, local, period3, single

BASE = {"day": "2026-09-03", "period_number": "3", "title": "Optics", "class_name": "Class 3-2", "students": "30"}
SERIES = {**BASE, "repeat": "1", "until": "2026-10-15"}  # 7 Thursdays; 1 October is a holiday


@pytest.fixture
def setting(app):
    """A teacher (English UI) at one school, its lab, this term, the National Day holiday, and
    another school's teacher who holds the lab on Thursday 17 September, period 3."""
    freeze()
    school = factories.school(name="First Primary")
    teacher = factories.user(locale="en", school=school, display_name="Teacher Wang")
    lab = factories.resource(owner_school=school, name="Physics lab")
    factories.term(start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    factories.closure(start_date=date(2026, 10, 1), end_date=date(2026, 10, 7), reason="National Day")
    rival = factories.user(locale="en", school=factories.school(name="Second Primary"))
    create_booking(rival, single(lab, month=9, day=17, class_name="Class 4-1", title="Circuits"))
    return teacher, lab


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def field_error(response, field_id: str) -> str:
    match = re.search(rf'id="{field_id}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return unescape(match.group(1)) if match else ""


def teacher_bookings(teacher):
    return db.session.query(Booking).filter_by(booked_by_id=teacher.id).order_by(Booking.starts_at).all()


def test_the_resource_page_shows_a_week_grid_in_words(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    page = text_of(client.get(f"/resources/{lab.id}?week=2026-09-14"))
    assert "Week of Sep 14, 2026" in page
    assert "Period 3 09:50–10:30" in page and "Thursday" in page
    assert "Booked by Second Primary Class 4-1 (Circuits)" in page
    holiday = text_of(client.get(f"/resources/{lab.id}?week=2026-09-28"))
    assert "Closed: National Day" in holiday
    html = client.get(f"/resources/{lab.id}?week=2026-09-14").get_data(as_text=True)
    assert f'href="/bookings/new/{lab.id}?day=2026-09-17&amp;period_number=2"' in html
    assert "day=2026-09-17&amp;period_number=3" not in html  # taken: no link to book it


def test_the_form_offers_the_owner_schools_periods(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    response = client.get(f"/bookings/new/{lab.id}?day=2026-09-03&period_number=3")
    html = response.get_data(as_text=True)
    assert '<option selected value="3">Period 3 09:50–10:30</option>' in html
    assert 'value="2026-09-03"' in html
    assert 'name="school_id"' not in html  # teachers book for their own school
    assert "For a class of First Primary." in text_of(response)


def test_a_teacher_books_by_period(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    response = client.post(f"/bookings/new/{lab.id}", data=BASE)
    [booking] = teacher_bookings(teacher)
    assert response.status_code == 302 and response.headers["Location"] == f"/bookings/{booking.id}"
    assert (booking.starts_at, booking.ends_at) == period3(9, 3)
    assert (booking.class_name, booking.students, booking.title) == ("Class 3-2", 30, "Optics")
    assert booking.school_id == teacher.school_id and booking.status == BookingStatus.CONFIRMED
    page = text_of(client.get(response.headers["Location"]))
    assert "Booked." in page and "Period 3 09:50–10:30" in page and "Confirmed" in page


def test_a_teacher_books_by_clock_time(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    data = {**BASE, "period_number": "", "start_time": "14:00", "end_time": "15:30"}
    assert client.post(f"/bookings/new/{lab.id}", data=data).status_code == 302
    [booking] = teacher_bookings(teacher)
    assert (booking.starts_at, booking.ends_at) == (local(9, 3, 14), local(9, 3, 15, 30))


def test_bad_input_names_the_fields_and_saves_nothing(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    response = client.post(f"/bookings/new/{lab.id}",
                           data={**BASE, "title": " ", "students": "thirty", "day": "2026-13-01"})
    assert response.status_code == 422
    assert field_error(response, "title") == "Enter the purpose of the booking."
    assert field_error(response, "students").startswith("Enter a number of students")
    assert field_error(response, "day") == "Enter a date such as 2026-09-03."
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    response = client.post(f"/bookings/new/{lab.id}", data={**BASE, "period_number": "12"})
    assert response.status_code == 422 and field_error(response, "period_number") == \
        "The owner school has no such period."
    assert teacher_bookings(teacher) == []


def test_a_clash_is_explained_with_alternatives_that_fill_the_form(setting, client, login_as):
    teacher, lab = setting
    other_lab = factories.resource(name="Science lab", owner_school=factories.school(name="Third Primary"))
    factories.travel(teacher.school, other_lab.owner_school, 12)
    login_as(teacher)
    response = client.post(f"/bookings/new/{lab.id}", data={**BASE, "day": "2026-09-17"})
    assert response.status_code == 409
    page = text_of(response)
    assert "This time cannot be booked" in page
    assert "Already taken — Already booked from 09:50 to 10:30 by Second Primary Class 4-1 (Circuits)." in page
    html = response.get_data(as_text=True)
    alternatives = re.search(r'<ol class="slot-list" id="alternatives">(.*?)</ol>', html, re.S).group(1)
    links = [unescape(link) for link in re.findall(r'href="([^"]+)"', alternatives)]
    assert 1 <= len(links) <= 5
    assert any(f"/bookings/new/{other_lab.id}?" in link for link in links) and "12 minutes away" in page
    same = [link for link in links if link.startswith(f"/bookings/new/{lab.id}?")][0]
    assert "class_name=Class+3-2" in same and "students=30" in same and "title=Optics" in same
    prefilled = client.get(same).get_data(as_text=True)
    assert 'value="Class 3-2"' in prefilled and re.search(r'<option selected value="\d">Period \d', prefilled)
    assert teacher_bookings(teacher) == []


def test_the_series_preview_lists_every_date_and_saves_nothing(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    response = client.post(f"/bookings/new/{lab.id}", data=SERIES)
    assert response.status_code == 200
    page = text_of(response)
    assert "7 dates in all: 5 free, 1 clashing, 1 closed (skipped)." in page
    items = re.findall(r'<li class="date-(\w+)">(.*?)</li>', response.get_data(as_text=True), re.S)
    assert [state for state, _ in items] == ["free", "free", "conflict", "free", "closed", "free", "free"]
    assert "Second Primary Class 4-1 (Circuits)" in unescape(items[2][1])
    assert "National Day" in unescape(items[4][1]) and "Closed, skipped" in unescape(items[4][1])
    assert "Book the 5 free dates, skip the rest" in page
    assert db.session.query(BookingSeries).count() == 0 and teacher_bookings(teacher) == []


def test_a_clashing_date_of_a_series_offers_alternatives_bookable_from_the_preview(setting, client, login_as):
    teacher, lab = setting
    other = factories.resource(owner_school=factories.school(name="Third Primary"), name="Science lab",
                               category=lab.category)
    login_as(teacher)
    html = client.post(f"/bookings/new/{lab.id}", data=SERIES).get_data(as_text=True)
    clash = html.split('class="date-conflict"')[1].split('class="date-free"')[0]
    assert "Book this date elsewhere or at another time" in unescape(clash)
    assert f'href="/bookings/new/{lab.id}?day=2026-09-17&amp;period_number=' in clash  # another period that day
    assert f'href="/bookings/new/{other.id}?day=2026-09-17' in clash  # the same kind elsewhere
    assert "Optics" in unescape(clash)  # the links carry the class and purpose
    assert html.count("Book this date elsewhere") == 1  # only the clashing date


def test_booking_the_free_dates_skips_the_clash_and_the_holiday(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    response = client.post(f"/bookings/new/{lab.id}", data={**SERIES, "action": "confirm"})
    booked = teacher_bookings(teacher)
    assert response.status_code == 302 and response.headers["Location"] == f"/bookings/{booked[0].id}"
    assert [b.starts_at for b in booked] == [period3(9, d)[0] for d in (3, 10, 24)] + \
        [period3(10, d)[0] for d in (8, 15)]
    assert len({b.series_id for b in booked}) == 1
    page = text_of(client.get(response.headers["Location"]))
    assert "5 dates were booked. 2 dates were skipped." in page
    assert "Every week on Thursday, until Oct 15, 2026" in page


def test_a_series_runs_to_the_end_of_the_term_when_no_last_date_is_given(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    data = {**BASE, "repeat": "2", "weekdays": ["0", "3"], "action": "confirm"}
    assert client.post(f"/bookings/new/{lab.id}", data=data).status_code == 302
    series = db.session.query(BookingSeries).one()
    assert series.rrule.startswith("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270121")
    assert series.term_id is not None and len(series.occurrences) > 10


def test_changing_the_request_from_the_preview_keeps_the_values(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    response = client.post(f"/bookings/new/{lab.id}", data={**SERIES, "weekdays": ["1", "3"], "action": "edit"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="2026-10-15"' in html
    assert re.search(r'checked id="weekdays-1"|id="weekdays-1"[^>]*checked', html)


def test_a_series_with_a_bad_last_date_is_refused_by_field(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    response = client.post(f"/bookings/new/{lab.id}", data={**SERIES, "until": "2027-12-31"})
    assert response.status_code == 422 and field_error(response, "repeat") == "A series spans at most one year."
    response = client.post(f"/bookings/new/{lab.id}", data={**SERIES, "until": "2026-09-01"})
    assert field_error(response, "until") == "The last date cannot be before the first date."


def test_coordinators_choose_the_school_of_the_class(setting, client, login_as):
    _, lab = setting
    coordinator = factories.user(role=Role.COORDINATOR, locale="en")
    other_school = factories.school(name="Fourth Primary")
    login_as(coordinator)
    assert 'name="school_id"' in client.get(f"/bookings/new/{lab.id}").get_data(as_text=True)
    response = client.post(f"/bookings/new/{lab.id}", data={**BASE, "school_id": str(other_school.id)})
    assert response.status_code == 302
    assert db.session.query(Booking).filter_by(booked_by_id=coordinator.id).one().school_id == other_school.id


def test_a_resource_nobody_may_see_is_not_found(setting, client, login_as):
    teacher, _ = setting
    private = factories.resource(sharing="own_school", name="Staff room")
    login_as(teacher)
    assert client.get(f"/bookings/new/{private.id}").status_code == 404
    assert client.post(f"/bookings/new/{private.id}", data=BASE).status_code == 404
    assert client.get("/bookings/new/99999999999").status_code == 404


def test_the_book_page_leads_to_the_form(setting, client, login_as):
    teacher, lab = setting
    login_as(teacher)
    assert "Physics lab" in text_of(client.get("/bookings/new"))
    response = client.get(f"/bookings/new?resource_id={lab.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/bookings/new/{lab.id}"


def test_posting_without_the_csrf_token_is_refused(setting, csrf_app, client, login_as):
    teacher, lab = setting
    login_as_with_token(client, teacher)
    response = client.post(f"/bookings/new/{lab.id}", data={**BASE, "day": "2026-09-04"})
    assert response.status_code == 400 and teacher_bookings(teacher) == []


def login_as_with_token(client, user):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": "secret-pass", "csrf_token": token})
    assert response.status_code == 302
