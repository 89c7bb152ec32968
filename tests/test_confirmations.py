"""Destructive actions ask first, on a page the server renders (no script needed), saying what they
will cancel or free; only the confirmed second post changes anything."""
import re
from datetime import date

import pytest

from booking.accounts.models import Role
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import create_booking
from booking.extensions import db
from booking.resources.models import Resource
from tests import factories
from tests.booking_support import freeze, single
from tests.test_booking_pages import text_of

FIVE_THURSDAYS = "FREQ=WEEKLY;BYDAY=TH;UNTIL=20261001"  # 3 Sep … 1 Oct


@pytest.fixture
def teacher(app):
    freeze()
    return factories.user(locale="en", school=factories.school(name="First Primary"))


@pytest.fixture
def lab(teacher):
    return factories.resource(owner_school=teacher.school, name="Physics lab")


def items(response) -> list[str]:
    listed = re.search(r'<ul id="confirm-items"[^>]*>(.*?)</ul>', response.get_data(as_text=True), re.S)
    return re.findall(r"<li>(.*?)</li>", listed.group(1)) if listed else []


def test_cancelling_a_series_lists_every_date_it_cancels_first(teacher, lab, client, login_as):
    series = create_booking(teacher, single(lab, rrule=FIVE_THURSDAYS)).bookings
    login_as(teacher)
    asked = client.post(f"/bookings/{series[1].id}/cancel", data={"scope": "following", "reason": "Moved"})
    page = text_of(asked)
    assert asked.status_code == 200 and "Cancel this date and the following ones of" in page
    assert len(items(asked)) == 4 and "Cancel 4 dates" in page and "with your reason" in page
    html = asked.get_data(as_text=True)
    assert 'name="scope" value="following"' in html and 'name="reason" value="Moved"' in html
    assert 'name="confirmed" value="1"' in html and "<script>" not in html
    db.session.expire_all()
    assert all(b.status == BookingStatus.CONFIRMED for b in series)  # nothing changed yet
    done = client.post(f"/bookings/{series[1].id}/cancel", data={"scope": "following", "reason": "Moved",
                                                                 "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert [b.status.value for b in series] == ["confirmed"] + ["cancelled"] * 4


def test_archiving_says_which_bookings_it_leaves_standing(teacher, lab, client, login_as):
    create_booking(teacher, single(lab, day=3))
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=teacher.school, locale="en")
    login_as(admin)
    asked = client.post(f"/resources/{lab.id}/active", data={"active": "0"})
    page = text_of(asked)
    assert "Archive Physics lab?" in page and "its 1 booking still to come is kept" in page and len(items(asked)) == 1
    assert db.session.get(Resource, lab.id).active
    archived = client.post(f"/resources/{lab.id}/active", data={"active": "0", "confirmed": "1"})
    assert archived.status_code == 302
    db.session.expire_all()
    assert not db.session.get(Resource, lab.id).active
    assert client.post(f"/resources/{lab.id}/active", data={"active": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Resource, lab.id).active


def test_deleting_a_closure_says_what_opens_again(app, client, login_as):
    login_as(factories.user(role=Role.COORDINATOR, locale="en"))
    closure = factories.closure(start_date=date(2026, 10, 1), end_date=date(2026, 10, 7), reason="National Day")
    page = text_of(client.post(f"/admin/closures/{closure.id}/delete"))
    assert "Delete the closure National Day?" in page and "every school of the district can be booked again" in page
    assert "No, go back" in page


def test_a_cancel_the_booker_may_not_make_is_refused_without_asking(teacher, lab, client, login_as):
    booking = create_booking(teacher, single(lab)).bookings[0]
    login_as(factories.user(locale="en"))
    assert client.post(f"/bookings/{booking.id}/cancel", data={"scope": "occurrence"}).status_code in (403, 404)
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
