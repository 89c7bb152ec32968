"""Subscribing in the browser (profile, resource, school and subscriptions pages) and the per-booking .ics."""
from __future__ import annotations

import re

import pytest

from booking.bookings.services import create_booking
from booking.calendars import services
from booking.calendars.models import FeedScope
from booking.resources.models import Sharing
from tests import factories
from tests.booking_support import single
from tests.feeds_support import build_world, parse

LINK = re.compile(r'value="(https?://[^"]+/feeds/[A-Za-z0-9_-]{32}\.ics)"')


@pytest.fixture
def world(app):
    return build_world()


def _subscribe_on(client, page: str, scope: str, target_id) -> str:
    """Press "Get a subscription link" on ``page``; the link the answer shows once, with the way back."""
    response = client.post("/calendar/feeds", data={"scope": scope, "target_id": target_id or "", "next": page})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f'href="{page}"' in html
    assert response.headers["Cache-Control"] == "no-store"
    found = LINK.search(html)
    assert found, "the new link is on the page"
    with client.session_transaction() as session:
        assert found.group(1).rsplit("/", 1)[1][:32] not in repr(dict(session)), "the secret is not in the cookie"
    return found.group(1)


def test_the_profile_offers_a_personal_feed_shown_once(world, login_as):
    client = login_as(world.teacher)
    page = client.get("/profile").get_data(as_text=True)
    assert 'name="scope" value="user"' in page
    link = _subscribe_on(client, "/profile", "user", world.teacher.id)
    assert client.get(link.split("localhost", 1)[1]).status_code == 200
    again = client.get("/profile").get_data(as_text=True)
    assert not LINK.search(again), "the secret is shown only once"
    assert f"…{link[-8:-4]}" in again  # the link's last characters tell it apart


def test_the_page_shows_the_webcal_link_and_a_copy_button(world, login_as):
    client = login_as(world.teacher)
    response = client.post("/calendar/feeds", data={"scope": "user", "target_id": "", "next": "/profile"})
    page = response.get_data(as_text=True)
    https_link = LINK.search(page).group(1)
    assert f'href="webcal://{https_link.split("://", 1)[1]}"' in page
    assert f"<code>{https_link}</code>" in page  # as text too, to select and copy by hand
    assert "data-copy-target=" in page and "/static/js/feed-link.js" in page and "<script>" not in page


@pytest.mark.parametrize("scope", ["user", "school"])
def test_the_subscriptions_page_shows_a_new_link_once(world, login_as, scope):
    client = login_as(world.teacher)
    target_id = world.teacher.id if scope == "user" else world.teacher.school_id
    link = _subscribe_on(client, "/calendar/feeds", scope, target_id)
    assert client.get(link.split("localhost", 1)[1]).status_code == 200
    again = client.get("/calendar/feeds").get_data(as_text=True)
    assert not LINK.search(again) and f"…{link[-8:-4]}" in again
    (feed,) = services.active_feeds(world.teacher)
    renewed = client.post(f"/calendar/feeds/{feed.id}/regenerate", data={"next": "/calendar/feeds"})
    new = LINK.search(renewed.get_data(as_text=True)).group(1)
    assert renewed.status_code == 200 and new != link and 'href="/calendar/feeds"' in renewed.get_data(as_text=True)
    assert client.get(new.split("localhost", 1)[1]).status_code == 200


def test_resource_and_teacher_pages_offer_their_feed(world, login_as):
    client = login_as(world.outsider)
    assert 'name="scope" value="resource"' in client.get(f"/resources/{world.lab.id}").get_data(as_text=True)
    link = _subscribe_on(client, f"/resources/{world.music.id}", "teacher", world.music.id)
    (visit,) = parse(client.get(link.split("localhost", 1)[1]).data).walk("VEVENT")
    assert "音乐课" in str(visit["SUMMARY"])


def test_the_subscriptions_page_lists_personal_school_and_district_feeds(world, login_as):
    teacher_page = login_as(world.teacher).get("/calendar/feeds").get_data(as_text=True)
    assert 'value="user"' in teacher_page and 'value="school"' in teacher_page
    assert 'value="district"' not in teacher_page
    login_as(world.teacher).post("/logout")
    coordinator = login_as(world.coordinator)
    assert 'value="district"' in coordinator.get("/calendar/feeds").get_data(as_text=True)
    school_page = coordinator.get(f"/admin/schools/{world.home.id}").get_data(as_text=True)
    assert 'name="scope" value="school"' in school_page


def test_regenerate_replaces_the_link_and_revoke_ends_it(world, login_as):
    client = login_as(world.teacher)
    old = _subscribe_on(client, "/profile", "user", None).split("localhost", 1)[1]
    (feed,) = services.active_feeds(world.teacher)
    response = client.post(f"/calendar/feeds/{feed.id}/regenerate", data={"next": "/profile"})
    new = LINK.search(response.get_data(as_text=True)).group(1).split("localhost", 1)[1]
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200
    (current,) = services.active_feeds(world.teacher)
    client.post(f"/calendar/feeds/{current.id}/revoke", data={"next": "/profile", "confirmed": "1"})
    assert client.get(new).status_code == 404 and services.active_feeds(world.teacher) == []


def test_others_feeds_and_forbidden_targets_are_refused(world, login_as):
    theirs = services.create_feed(world.outsider, FeedScope.USER, None).feed
    client = login_as(world.teacher)
    assert client.post(f"/calendar/feeds/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/calendar/feeds/{theirs.id}/regenerate").status_code == 404
    page = client.post("/calendar/feeds", data={"scope": "district", "target_id": ""}, follow_redirects=True)
    assert services.active_feeds(world.teacher) == [] and "flash-error" in page.get_data(as_text=True)


def test_subscribing_needs_the_csrf_token(world, app, login_as):
    client = login_as(world.teacher)
    app.config["WTF_CSRF_ENABLED"] = True  # signed in; from now on as in production
    assert client.post("/calendar/feeds", data={"scope": "user"}).status_code == 400
    assert services.active_feeds(world.teacher) == []


def test_a_booking_downloads_as_ics_with_the_feeds_uid(world, login_as):
    client = login_as(world.teacher)
    response = client.get(f"/calendar/bookings/{world.single.id}.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    (event,) = parse(response.data).walk("VEVENT")
    assert str(event["UID"]).startswith(f"booking-{world.single.id}@")
    feed = parse(client.get(f"/feeds/{services.create_feed(world.teacher, 'user', None).secret}.ics").data)
    assert str(event["UID"]) in {str(e["UID"]) for e in feed.walk("VEVENT")}
    series = parse(client.get(f"/calendar/bookings/{world.moved.id}.ics").data).walk("VEVENT")
    assert len(series) == 2 and all(str(c["UID"]).startswith("series-") for c in series)


def test_a_booking_download_is_permission_checked(world, client, login_as):
    assert client.get(f"/calendar/bookings/{world.single.id}.ics").status_code in (302, 401)
    private = factories.resource(owner_school=world.home, sharing=Sharing.OWN_SCHOOL)
    hidden = create_booking(world.teacher, single(private, day=16)).bookings[0]
    outsider = login_as(world.outsider)
    assert outsider.get(f"/calendar/bookings/{hidden.id}.ics").status_code == 404
    assert outsider.get("/calendar/bookings/99999999.ics").status_code == 404
    assert outsider.get(f"/calendar/bookings/{2**40}.ics").status_code == 404
