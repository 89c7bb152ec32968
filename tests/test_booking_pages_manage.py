"""After booking, in the browser: my bookings, one booking, cancelling and changing by scope,
someone else's booking (403/404), the approval queue, and the district-wide search."""
import re
from datetime import date

import pytest

from booking.accounts.models import Role
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import cancel_booking, create_booking
from booking.extensions import db
from booking.resources.models import Category
from tests import factories
from tests.booking_support import freeze, local, period3, single
from tests.conftest import login
from tests.test_booking_pages import BASE, field_error, login_as_with_token, text_of

SIX_THURSDAYS = "FREQ=WEEKLY;BYDAY=TH;UNTIL=20261008"  # 3 Sep … 8 Oct; 1 October is a holiday


@pytest.fixture
def teacher(app):
    freeze()
    factories.closure(start_date=date(2026, 10, 1), end_date=date(2026, 10, 7), reason="National Day")
    return factories.user(locale="en", school=factories.school(name="First Primary"))


@pytest.fixture
def lab(teacher):
    return factories.resource(owner_school=teacher.school, name="Physics lab")


@pytest.fixture
def series(teacher, lab):
    return create_booking(teacher, single(lab, rrule=SIX_THURSDAYS)).bookings


def test_my_bookings_are_split_into_upcoming_past_and_cancelled(teacher, lab, client, login_as):
    upcoming = create_booking(teacher, single(lab, day=3)).bookings[0]
    cancelled = create_booking(teacher, single(lab, day=4)).bookings[0]
    cancelled.set_status(BookingStatus.CANCELLED)
    db.session.commit()
    login_as(teacher)
    page = text_of(client.get("/bookings/mine"))
    assert "Thursday, September 3, 2026" in page and "Friday, September 4, 2026" not in page
    assert "Friday, September 4, 2026" in text_of(client.get("/bookings/mine?show=cancelled"))
    assert "No bookings here." in text_of(client.get("/bookings/mine?show=past"))
    assert upcoming.id != cancelled.id


def test_cancelling_one_date_of_a_series_keeps_the_others(teacher, lab, series, client, login_as):
    login_as(teacher)
    target = series[1]
    response = client.post(f"/bookings/{target.id}/cancel", data={"scope": "occurrence", "reason": "Sports day",
                                                                  "confirmed": "1"})
    assert response.status_code == 302
    assert "1 date was cancelled." in text_of(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert [b.status for b in series] == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED] + \
        [BookingStatus.CONFIRMED] * 3
    assert series[1].cancel_reason == "Sports day" and series[1].is_exception


def test_cancelling_this_and_the_following_dates(teacher, lab, series, client, login_as):
    login_as(teacher)
    assert client.post(f"/bookings/{series[2].id}/cancel", data={"scope": "following", "confirmed": "1"}).status_code == 302
    db.session.expire_all()
    assert [b.status.value for b in series] == ["confirmed"] * 2 + ["cancelled"] * 3


def test_the_booking_page_lists_the_series_and_offers_every_scope(teacher, lab, series, client, login_as):
    login_as(teacher)
    response = client.get(f"/bookings/{series[0].id}")
    page = text_of(response)
    assert "Every week on Thursday, until Oct 8, 2026" in page
    assert page.count("Confirmed") >= 5 and "Cancel the booking" in page
    html = response.get_data(as_text=True)
    for scope in ("occurrence", "following", "series"):
        assert f'value="{scope}"' in html
    assert f'href="/calendar/bookings/{series[0].id}.ics"' in html  # "add to calendar", from the calendars pages


def test_someone_elses_booking_is_403_to_cancel_and_404_when_hidden(teacher, lab, client, login_as):
    booking = create_booking(teacher, single(lab)).bookings[0]
    private = factories.resource(owner_school=teacher.school, name="Staff room", sharing="own_school")
    hidden = create_booking(teacher, single(private)).bookings[0]
    login_as(factories.user(locale="en"))
    assert client.get(f"/bookings/{booking.id}").status_code == 200
    assert "Cancel the booking" not in text_of(client.get(f"/bookings/{booking.id}"))
    assert client.post(f"/bookings/{booking.id}/cancel", data={"scope": "occurrence"}).status_code == 403
    assert client.get(f"/bookings/{booking.id}/change").status_code == 403
    assert client.get(f"/bookings/{hidden.id}").status_code == 404
    assert client.post(f"/bookings/{hidden.id}/cancel", data={}).status_code == 404
    assert client.get("/bookings/99999999999").status_code == 404
    db.session.expire_all()
    assert booking.status == hidden.status == BookingStatus.CONFIRMED


def test_cancelling_twice_explains_why_not(teacher, lab, client, login_as):
    booking = create_booking(teacher, single(lab)).bookings[0]
    login_as(teacher)
    client.post(f"/bookings/{booking.id}/cancel", data={"scope": "occurrence", "confirmed": "1"})
    response = client.post(f"/bookings/{booking.id}/cancel", data={"scope": "occurrence"})
    assert response.status_code == 422 and "This booking is no longer active." in text_of(response)


def test_changing_one_date_moves_it_by_period(teacher, lab, series, client, login_as):
    login_as(teacher)
    form = client.get(f"/bookings/{series[1].id}/change").get_data(as_text=True)
    assert '<option selected value="3">Period 3 09:50–10:30</option>' in form
    response = client.post(f"/bookings/{series[1].id}/change",
                           data={"scope": "occurrence", "day": "2026-09-11", "period_number": "4",
                                 "title": "Optics", "class_name": "Class 3-2", "students": "30"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (series[1].starts_at, series[1].ends_at) == (local(9, 11, 10, 40), local(9, 11, 11, 20))
    assert series[1].is_exception and series[2].starts_at == period3(9, 17)[0]


def test_changing_the_following_dates_keeps_their_days(teacher, lab, series, client, login_as):
    login_as(teacher)
    response = client.post(f"/bookings/{series[2].id}/change",
                           data={"scope": "following", "day": "2026-09-17", "period_number": "5",
                                 "title": "Optics", "class_name": "Class 3-2"})
    assert response.status_code == 302
    db.session.expire_all()
    assert series[1].starts_at == period3(9, 10)[0] and series[2].starts_at == local(9, 17, 14)


def test_a_change_into_a_taken_slot_is_refused_and_explained(teacher, lab, series, client, login_as):
    create_booking(factories.user(), single(lab, day=11, start=local(9, 11, 10, 40), end=local(9, 11, 11, 20)))
    login_as(teacher)
    response = client.post(f"/bookings/{series[1].id}/change",
                           data={"scope": "occurrence", "day": "2026-09-11", "period_number": "4", "title": "x"})
    assert response.status_code == 409 and "Already taken" in text_of(response)
    response = client.post(f"/bookings/{series[1].id}/change",
                           data={"scope": "occurrence", "day": "2026-09-11", "period_number": "3", "title": " "})
    assert response.status_code == 422 and field_error(response, "title") == "Enter the purpose of the booking."
    db.session.expire_all()
    assert series[1].starts_at == period3(9, 10)[0] and series[1].title == "科学实验"


# --- approvals ---------------------------------------------------------------------------


@pytest.fixture
def gym(teacher):
    return factories.resource(name="Gym", category=Category.GYM, approval_required=True,
                              owner_school=factories.school(name="Lead School"))


@pytest.fixture
def approver(gym):
    return factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school, locale="en")


def test_a_request_waits_in_the_queue_and_is_approved(teacher, gym, approver, client, login_as):
    login_as(teacher)
    response = client.post(f"/bookings/new/{gym.id}", data=BASE)
    assert "Your request was sent" in text_of(client.get(response.headers["Location"]))
    assert client.get("/bookings/approvals").status_code == 403
    request = db.session.query(Booking).one()
    assert request.status == BookingStatus.PENDING
    client.post("/logout")
    login_as(approver)
    queue = text_of(client.get("/bookings/approvals"))
    assert "Gym" in queue and "Class 3-2" in queue and "30 students" in queue
    response = client.post(f"/bookings/{request.id}/approve", data={f"b{request.id}-reason": "OK"})
    assert response.status_code == 302 and response.headers["Location"] == "/bookings/approvals"
    assert "1 date was approved." in text_of(client.get("/bookings/approvals"))
    db.session.expire_all()
    assert request.status == BookingStatus.CONFIRMED and request.decided_by_id == approver.id


def test_rejecting_needs_a_reason_given_beside_the_request(teacher, gym, approver, client, login_as):
    request = create_booking(teacher, single(gym)).bookings[0]
    login_as(approver)
    response = client.post(f"/bookings/{request.id}/reject", data={f"b{request.id}-reason": " "})
    assert response.status_code == 422
    assert field_error(response, f"b{request.id}-reason") == "Say why the request is rejected."
    response = client.post(f"/bookings/{request.id}/reject", data={f"b{request.id}-reason": "Exam week"})
    assert response.status_code == 302
    db.session.expire_all()
    assert request.status == BookingStatus.REJECTED and request.decision_reason == "Exam week"
    assert client.post(f"/bookings/{request.id}/approve", data={}).status_code == 302  # no longer waiting
    assert "This request is no longer waiting for an answer." in text_of(client.get("/bookings/approvals"))


def test_a_series_is_answered_as_one_row(teacher, gym, approver, client, login_as):
    requests = create_booking(teacher, single(gym, rrule=SIX_THURSDAYS)).bookings
    login_as(approver)
    queue = text_of(client.get("/bookings/approvals"))
    assert "5 dates waiting" in queue and queue.count("Gym") == 1
    response = client.post(f"/bookings/{requests[0].id}/approve", data={f"b{requests[0].id}-scope": "series"})
    assert response.status_code == 302
    db.session.expire_all()
    assert {b.status for b in requests} == {BookingStatus.CONFIRMED}


def test_approving_what_no_longer_fits_is_explained(teacher, gym, approver, client, login_as):
    request = create_booking(teacher, single(gym)).bookings[0]
    factories.closure(start_date=date(2026, 9, 3), end_date=date(2026, 9, 3), reason="Power cut",
                      school_id=gym.owner_school_id)
    login_as(approver)
    response = client.post(f"/bookings/{request.id}/approve", data={})
    assert response.status_code == 409 and "Power cut" in text_of(response)
    db.session.expire_all()
    assert request.status == BookingStatus.PENDING


def test_a_refused_approval_of_a_later_date_is_explained_too(teacher, gym, approver, client, login_as):
    requests = create_booking(teacher, single(gym, rrule=SIX_THURSDAYS)).bookings
    factories.closure(start_date=date(2026, 9, 17), end_date=date(2026, 9, 17), reason="Power cut",
                      school_id=gym.owner_school_id)
    login_as(approver)
    assert "Answer this request" in text_of(client.get(f"/bookings/{requests[2].id}"))
    response = client.post(f"/bookings/{requests[2].id}/approve", data={f"b{requests[2].id}-scope": "occurrence"})
    assert response.status_code == 409 and "Power cut" in text_of(response)


def test_each_request_form_carries_its_own_csrf_token(teacher, gym, approver, csrf_app, client):
    request = create_booking(teacher, single(gym)).bookings[0]
    login_as_with_token(client, approver)
    queue = client.get("/bookings/approvals").get_data(as_text=True)
    token = re.search(rf'name="b{request.id}-csrf_token" type="hidden" value="([^"]+)"', queue).group(1)
    assert client.post(f"/bookings/{request.id}/approve", data={}).status_code == 400
    response = client.post(f"/bookings/{request.id}/approve", data={f"b{request.id}-csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert request.status == BookingStatus.CONFIRMED


def test_a_teacher_cannot_approve(teacher, gym, client, login_as):
    request = create_booking(factories.user(), single(gym)).bookings[0]
    login_as(teacher)
    assert client.post(f"/bookings/{request.id}/approve", data={}).status_code == 403
    assert "Approvals" not in text_of(client.get("/bookings/mine"))


# --- the district-wide search ------------------------------------------------------------


def test_the_search_ranks_free_resources_by_travel_time(teacher, lab, client, login_as):
    near = factories.resource(name="Near lab", owner_school=factories.school(name="Near School"))
    far = factories.resource(name="Far lab", owner_school=factories.school(name="Far School"))
    taken = factories.resource(name="Taken lab", owner_school=factories.school(name="Busy School"))
    factories.travel(teacher.school, near.owner_school, 10)
    factories.travel(teacher.school, far.owner_school, 40)
    create_booking(factories.user(), single(taken))
    login_as(teacher)
    response = client.get("/bookings/search?category=lab&date=2026-09-03&period=3&students=30")
    page = text_of(response)
    assert response.status_code == 200 and "3 free resources" in page
    assert page.index("Physics lab") < page.index("Near lab") < page.index("Far lab") and "Taken lab" not in page
    assert "10 minutes away" in page and "at your school" in page
    assert f"/bookings/new/{near.id}?day=2026-09-03&amp;period_number=3&amp;students=30" in \
        response.get_data(as_text=True)


def test_a_search_without_category_or_date_names_the_fields(teacher, client, login_as):
    login_as(teacher)
    response = client.get("/bookings/search?category=&date=soon")
    assert response.status_code == 422 and field_error(response, "date") == "Enter a date such as 2026-09-03."
    response = client.get("/bookings/search?category=&date=2026-09-03&period=3")
    assert response.status_code == 422 and field_error(response, "category") == "Choose a category."
    assert client.get("/bookings/search").status_code == 200


def test_the_booking_page_records_whether_it_was_used(teacher, lab, client, login_as):
    from booking import clock
    from tests.booking_support import local as local_time

    booking = create_booking(teacher, single(lab, day=3)).bookings[0]
    login_as(teacher)
    assert "Was it used?" not in text_of(client.get(f"/bookings/{booking.id}"))  # not started yet
    clock.freeze(local_time(9, 3, 11))
    page = text_of(client.get(f"/bookings/{booking.id}"))
    assert "Was it used?" in page
    response = client.post(f"/bookings/{booking.id}/outcome",
                           data={"outcome": "used", "next": f"/bookings/{booking.id}"})
    assert response.status_code == 302
    db.session.refresh(booking)
    assert booking.outcome.value == "used"
    page = text_of(client.get(f"/bookings/{booking.id}"))
    assert "Was it used?" in page and "Used" in page


def test_my_bookings_filter_by_dates_and_show_a_series_once(app, client, login_as):
    freeze()
    school = factories.school(name="一小")
    teacher = factories.user(school=school, locale="zh_CN")
    lab = factories.resource(owner_school=school, name="实验室")
    factories.term(start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    login_as(teacher)
    series = {"day": "2026-09-03", "period_number": "3", "title": "光学", "class_name": "三年级2班", "students": "30",
              "repeat": "1", "until": "2026-10-29", "action": "confirm"}
    assert client.post(f"/bookings/new/{lab.id}", data=series).status_code == 302
    everything = client.get("/bookings/mine").get_data(as_text=True)
    grouped = client.get("/bookings/mine?series=1").get_data(as_text=True)
    narrowed = client.get("/bookings/mine?from=2026-09-09&to=2026-09-30").get_data(as_text=True)
    def cards(html: str) -> int:
        return html.count('class="booking-card"')

    assert cards(everything) == 9 and cards(grouped) == 1 and cards(narrowed) == 3
    assert "本列表中另有 8 次" in grouped
    assert client.get("/bookings/mine?from=nonsense&to=2026-99-99&series=x").status_code == 200


def test_the_date_filter_of_my_bookings_says_first_and_last_day(client, login_as):
    """Regression: the "To" of a date filter shared its translation with the travel table's column, so
    我的预约 asked for 开始 … 目的学校 (a destination school) instead of 开始日期 … 结束日期."""
    login_as(factories.user(school=factories.school()))  # Chinese, the default
    page = client.get("/bookings/mine").get_data(as_text=True)
    assert '<label>开始日期<input type="date" name="from"' in page
    assert '<label>结束日期<input type="date" name="to"' in page and "目的学校" not in page


def test_someone_elses_booking_is_not_under_my_bookings_and_a_cancelled_one_offers_no_ics(app, teacher, lab, client,
                                                                                          login_as):
    """Found: an approver's view of a teacher's request was headed 我的预约 › 计算机教室, and a cancelled or
    rejected booking still offered 添加到我的日历 (.ics)."""
    booking = create_booking(teacher, single(lab)).bookings[0]
    approver = app.test_client()
    assert login(approver, factories.user(locale="en", role=Role.SCHOOL_ADMIN, school=teacher.school)).status_code == 302
    crumbs = approver.get(f"/bookings/{booking.id}").get_data(as_text=True).split('class="breadcrumb"')[1].split("</nav>")[0]
    assert "My bookings" not in crumbs and f'href="/resources/{lab.id}"' in crumbs
    login_as(teacher)
    page = client.get(f"/bookings/{booking.id}").get_data(as_text=True)
    assert "My bookings" in page.split('class="breadcrumb"')[1].split("</nav>")[0] and "(.ics)" in page
    cancel_booking(teacher, booking)
    db.session.commit()
    assert "(.ics)" not in client.get(f"/bookings/{booking.id}").get_data(as_text=True)


def test_the_answer_on_a_booking_page_is_escaped_and_punctuated_for_its_language(teacher, gym, approver, client,
                                                                                 login_as):
    request = create_booking(teacher, single(gym)).bookings[0]
    login_as(approver)
    assert client.post(f"/bookings/{request.id}/reject", data={f"b{request.id}-reason": "<b>考试周</b>"}).status_code == 302
    page = client.get(f"/bookings/{request.id}").get_data(as_text=True)
    assert "<b>考试周</b>" not in page and "&lt;b&gt;考试周&lt;/b&gt;" in page
    client.post("/language/zh_CN", data={"next": "/"})
    page = client.get(f"/bookings/{request.id}").get_data(as_text=True)
    assert f"{approver.display_name}：&lt;b&gt;考试周" in page  # the Chinese colon, not ": "
