"""Calendar feeds over HTTP: every kind expands (icalendar + recurring-ical-events) to exactly the stored
dates; UIDs are stable; unchanged feeds answer 304; dead tokens answer 404."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import or_, select

from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.models import Booking
from booking.bookings.services import cancel_booking, create_booking
from booking.calendars import services
from booking.calendars.models import FeedToken
from booking.extensions import db
from booking.resources.models import Resource
from tests import factories
from tests.booking_support import local, single
from tests.feeds_support import advance, build_world, expanded, intervals, parse, stored_intervals, subscribe, uids


@pytest.fixture
def world(app):
    return build_world()


FEED_KINDS = {
    "user": (lambda w: (w.teacher, None), lambda w: [Booking.booked_by_id == w.teacher.id]),
    "resource": (lambda w: (w.teacher, w.lab.id), lambda w: [Booking.resource_id == w.lab.id]),
    "teacher": (lambda w: (w.outsider, w.music.id), lambda w: [Booking.resource_id == w.music.id]),
    "school": (lambda w: (w.teacher, w.home.id), lambda w: [or_(
        Booking.school_id == w.home.id,
        Booking.resource_id.in_(select(Resource.id).where(Resource.owner_school_id == w.home.id)))]),
    "district": (lambda w: (w.coordinator, None), lambda w: []),
}


@pytest.mark.parametrize("kind", list(FEED_KINDS))
def test_every_feed_kind_expands_to_exactly_the_stored_dates(world, client, kind):
    owner_and_target, conditions = FEED_KINDS[kind]
    owner, target_id = owner_and_target(world)
    response = client.get(subscribe(owner, kind, target_id))
    assert response.status_code == 200
    expected = stored_intervals(*conditions(world))
    assert expected, "the world must give every feed something to show"
    assert intervals(expanded(response.data)) == expected


def test_series_with_a_moved_and_a_cancelled_date_round_trips(world, client):
    body = client.get(subscribe(world.teacher, "user")).data
    components = [c for c in parse(body).walk("VEVENT") if str(c["UID"]).startswith("series-")]
    master = next(c for c in components if "RRULE" in c)
    overrides = [c for c in components if "RECURRENCE-ID" in c]
    assert [d.dt for d in master["EXDATE"].dts] == [world.cancelled.original_start]
    assert len(overrides) == 1
    assert overrides[0]["RECURRENCE-ID"].dt == world.moved.original_start
    assert overrides[0]["DTSTART"].dt == world.moved.starts_at
    series_dates = intervals(e for e in expanded(body) if str(e["UID"]).startswith("series-"))
    assert series_dates == stored_intervals(Booking.series_id == world.moved.series_id)
    assert (local(9, 25, 14), local(9, 25, 14, 40)) in series_dates
    assert not any(start == world.cancelled.starts_at for start, _end in series_dates)


def test_the_feed_says_what_rfc_5545_asks(world, client):
    response = client.get(subscribe(world.teacher, "user"))
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    text = response.data.decode("utf-8")
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines), "lines are folded at 75 octets"
    for expected in ("VERSION:2.0", "METHOD:PUBLISH", "REFRESH-INTERVAL;VALUE=DURATION:PT1H", "X-PUBLISHED-TTL:PT1H",
                     "BEGIN:VTIMEZONE", "TZID:Asia/Shanghai"):
        assert expected in lines
    calendar = parse(response.data)
    assert str(calendar["PRODID"]).startswith("-//District Share//")
    assert "张老师" in str(calendar["X-WR-CALNAME"])
    event = next(e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith(f"booking-{world.single.id}@"))
    assert str(event["SUMMARY"]) == "物理实验室 · 科学实验"
    assert str(event["LOCATION"]) == "新天寄宿制小学 · 二楼东侧"
    assert "三年级2班" in str(event["DESCRIPTION"]) and "张老师" in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(f"/resources/{world.lab.id}")
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event["DTSTAMP"].dt.utcoffset() == timedelta(0) and event["LAST-MODIFIED"].dt.utcoffset() == timedelta(0)
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == world.single.sequence


def test_same_feed_twice_gives_the_same_uids_and_then_a_304(world, client):
    path = subscribe(world.teacher, "user")
    first, second = client.get(path), client.get(path)
    assert uids(first.data) == uids(second.data) and first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    not_modified = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert not_modified.headers["ETag"] == first.headers["ETag"]
    since = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_a_change_gives_a_new_etag_and_a_higher_sequence(world, client):
    path = subscribe(world.teacher, "user")
    before = client.get(path)
    advance(minutes=5)
    cancel_booking(world.teacher, world.series_rows[6], "occurrence")
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"],
                                      "If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]

    def master_sequence(body):
        return next(int(e["SEQUENCE"]) for e in parse(body).walk("VEVENT") if "RRULE" in e)

    assert master_sequence(after.data) > master_sequence(before.data)
    assert uids(after.data) == uids(before.data)


def test_cancelled_bookings_stay_as_cancelled_for_30_days(world, client):
    path = subscribe(world.teacher, "user")
    event = next(e for e in parse(client.get(path).data).walk("VEVENT")
                 if str(e["UID"]).startswith(f"booking-{world.dropped.id}@"))
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == world.dropped.sequence
    advance(days=31)
    assert f"booking-{world.dropped.id}@" not in client.get(path).data.decode()


def test_a_request_waiting_for_approval_is_tentative(world, client):
    gym = factories.resource(name="体育馆", owner_school=world.other, approval_required=True)
    pending = create_booking(world.teacher, single(gym, day=15)).bookings[0]
    event = next(e for e in parse(client.get(subscribe(world.teacher, "user")).data).walk("VEVENT")
                 if str(e["UID"]).startswith(f"booking-{pending.id}@"))
    assert str(event["STATUS"]) == "TENTATIVE"


def test_a_resource_feed_shows_other_schools_bookings_as_busy_only(world, client):
    body = client.get(subscribe(world.outsider, "resource", world.lab.id)).data
    mine = body.decode()
    assert "秘密实验" in mine  # the outsider's own booking, in full
    assert "科学实验" not in mine and "三年级2班" not in mine and "张老师" not in mine
    busy = next(e for e in parse(body).walk("VEVENT") if str(e["UID"]).startswith(f"booking-{world.single.id}@"))
    # Taken, and by which school: "物理实验室 · 已被新天寄宿制小学预约".
    assert str(busy["SUMMARY"]).startswith("物理实验室 · ") and "新天寄宿制小学" in str(busy["SUMMARY"])
    for_coordinator = client.get(subscribe(world.coordinator, "resource", world.lab.id)).data.decode()
    assert "秘密实验" in for_coordinator and "科学实验" in for_coordinator


def test_a_visiting_teacher_feed_is_located_at_the_visited_school(world, client):
    body = client.get(subscribe(world.teacher, "teacher", world.music.id)).data
    (visit,) = [e for e in parse(body).walk("VEVENT")]
    assert str(visit["LOCATION"]) == "李寨小学"


def test_revoked_unknown_and_garbage_tokens_answer_404(world, client):
    issued = services.create_feed(world.teacher, "user", None)
    path = f"/feeds/{issued.secret}.ics"
    assert client.get(path).status_code == 200
    services.revoke_feed(world.teacher, issued.feed)
    for bad in (path, "/feeds/" + "A" * 32 + ".ics", "/feeds/..%2F..%2Fetc.ics", "/feeds/%00.ics",
                "/feeds/" + "x" * 5000 + ".ics", "/feeds/短.ics"):
        response = client.get(bad)
        assert response.status_code == 404, bad
        assert b"Traceback" not in response.data


def test_a_feed_dies_with_its_owners_access(world, client):
    path = subscribe(world.teacher, "school", world.home.id)
    assert client.get(path).status_code == 200
    world.teacher.school = world.other
    db.session.commit()
    assert client.get(path).status_code == 404
    personal = subscribe(world.outsider, "user")
    world.outsider.active = False
    db.session.commit()
    assert client.get(personal).status_code == 404


def test_only_the_hash_of_a_secret_is_stored(world):
    issued = services.create_feed(world.teacher, "user", None)
    stored = db.session.get(FeedToken, issued.feed.id)
    assert len(issued.secret) == 32 and issued.secret not in (stored.token_hash, stored.hint)
    assert len(stored.token_hash) == 64 and stored.hint == issued.secret[-4:]


def test_a_series_split_by_a_following_change_still_expands_to_the_stored_dates(world, client):
    advance(minutes=5)
    change_booking(world.teacher, world.series_rows[5], BookingChanges(start_time=time(14, 0), end_time=time(14, 40)),
                   "following")
    body = client.get(subscribe(world.teacher, "user")).data
    masters = [e for e in parse(body).walk("VEVENT") if "RRULE" in e]
    assert len(masters) == 2, "the earlier dates keep their rule; the later ones get a new series"
    assert intervals(expanded(body)) == stored_intervals(Booking.booked_by_id == world.teacher.id)
    assert (local(10, 15, 14), local(10, 15, 14, 40)) in intervals(expanded(body))
