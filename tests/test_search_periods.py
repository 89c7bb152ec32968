"""A period chosen in the district-wide search is that period at the host school, and the booking
link books it there by period (not the searcher's own school's clock times, which straddle two
of the host's periods); the booking form defaults to 按节次 where the owner school rings bells."""
import re
from datetime import time
from html import unescape

import pytest

from booking.bookings.models import Booking
from booking.bookings.suggestions import SearchInput, search_free
from booking.bookings.web.form_input import read_when
from booking.extensions import db
from booking.schools.models import BellPeriod
from tests import factories
from tests.booking_support import ZONE, freeze, local
from tests.test_booking_pages import text_of

# The host school rings later: its 第3节 is 10:10–10:50, its 第4节 11:00–11:40. The searcher's own
# 第3节 (the factories' 09:50–10:30) would straddle the host's 第2节 and 第3节.
HOST_BELLS = [(time(8, 0), time(8, 40)), (time(8, 50), time(9, 30)), (time(10, 10), time(10, 50)),
              (time(11, 0), time(11, 40))]


@pytest.fixture
def host_lab(app):
    freeze()
    host = factories.school(name="Yangjialing Host", bells=False)
    for number, (start, end) in enumerate(HOST_BELLS, start=1):
        db.session.add(BellPeriod(school_id=host.id, number=number, start_time=start, end_time=end))
    db.session.commit()
    return factories.resource(owner_school=host, name="Host lab")


@pytest.fixture
def searcher(app):
    freeze()
    return factories.user(locale="en", school=factories.school(name="Searcher Primary"))


def test_the_search_looks_at_each_host_schools_period(searcher, host_lab):
    found = search_free(searcher, SearchInput(category="lab", day=local(9, 3, 0).astimezone(ZONE).date(),
                                              period_number=3))
    assert [(s.resource_name, s.start, s.end, s.period_number) for s in found] == [
        ("Host lab", local(9, 3, 10, 10), local(9, 3, 10, 50), 3)]


def test_a_host_without_the_period_is_left_out_and_an_unknown_period_is_refused(searcher, host_lab):
    from booking.validation import ValidationFailed

    day = local(9, 3, 0).astimezone(ZONE).date()
    assert search_free(searcher, SearchInput(category="lab", day=day, period_number=6)) == []  # host has 4
    with pytest.raises(ValidationFailed) as failed:
        search_free(searcher, SearchInput(category="lab", day=day, period_number=9))
    assert set(failed.value.errors) == {"period"}


def test_the_searched_period_is_the_booked_period_at_the_host_school(searcher, host_lab, client, login_as):
    login_as(searcher)
    response = client.get("/bookings/search?category=lab&date=2026-09-03&period=3&students=30")
    assert response.status_code == 200
    assert "Period 3 10:10–10:50" in text_of(response)
    link = unescape(re.search(r'href="(/bookings/new/[^"]+)"', response.get_data(as_text=True)).group(1))
    assert "period_number=3" in link and "start_time" not in link
    form_page = client.get(link).get_data(as_text=True)
    assert re.search(r'<option selected value="3">', form_page)
    assert re.search(r'value="period"[^>]*checked|checked[^>]*value="period"', form_page)
    response = client.post(link.split("?")[0], data={
        "day": "2026-09-03", "when_mode": "period", "period_number": "3", "title": "Optics", "students": "30",
        "start_time": "09:50", "end_time": "10:30"})  # stale clock inputs of the other way are ignored
    assert response.status_code == 302, text_of(response)
    booking = db.session.query(Booking).filter_by(resource_id=host_lab.id).one()
    assert (booking.starts_at, booking.ends_at) == (local(9, 3, 10, 10), local(9, 3, 10, 50))


def test_the_form_defaults_to_by_period_where_the_owner_rings_bells(searcher, host_lab, client, login_as):
    login_as(searcher)
    page = client.get(f"/bookings/new/{host_lab.id}").get_data(as_text=True)
    assert re.search(r'value="period"[^>]*checked|checked[^>]*value="period"', page)
    no_bells = factories.resource(owner_school=factories.school(bells=False), name="Bell-less lab")
    page = client.get(f"/bookings/new/{no_bells.id}").get_data(as_text=True)
    assert re.search(r'value="time"[^>]*checked|checked[^>]*value="time"', page)
    by_clock = client.get(f"/bookings/new/{host_lab.id}?day=2026-09-03&start_time=09:00&end_time=09:30")
    assert re.search(r'value="time"[^>]*checked|checked[^>]*value="time"', by_clock.get_data(as_text=True))


def test_the_way_chosen_decides_which_inputs_are_read():
    day = local(9, 3, 0).astimezone(ZONE).date()
    both = {"period_number": "3", "start_time": "09:00", "end_time": "09:40"}
    errors: dict = {}
    assert read_when({**both, "when_mode": "period"}, day, ZONE, errors) == {
        "day": day, "period_number": 3, "period_to": None} and errors == {}
    assert read_when({**both, "when_mode": "time"}, day, ZONE, errors) == {
        "start": local(9, 3, 9, 0), "end": local(9, 3, 9, 40)} and errors == {}
    read_when({"when_mode": "period", "start_time": "09:00", "end_time": "09:40"}, day, ZONE, errors)
    assert set(errors) == {"period_number"}
    errors = {}
    read_when(both, day, ZONE, errors)  # neither way named: both filled in is still a mistake
    assert set(errors) == {"start_time"}
