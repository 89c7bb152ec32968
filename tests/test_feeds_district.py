"""The district feed: a window in weeks, an event limit with a marker, and a validator that needs no booking
row — and changes at every write, whatever the clock says."""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import text

from booking import clock
from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.services import cancel_booking, create_booking
from booking.calendars import district
from booking.config import ConfigError, from_environment
from booking.extensions import db
from tests.booking_support import count_statements, local, single
from tests.feeds_support import build_world, expanded, intervals, parse, stored_intervals, subscribe, uids


@pytest.fixture
def world(app):
    return build_world()


def booked_on(owner, resource, month: int, day: int) -> int:
    """A booking of ``resource`` on that day (third period), made the day before it; the clock is put back."""
    now = clock.utcnow()
    clock.freeze(local(month, day, 8) - (local(2, 2, 8) - local(2, 1, 8)))
    booking = create_booking(owner, single(resource, month=month, day=day)).bookings[0]
    clock.freeze(now)
    return booking.id


def booking_uids(body: bytes) -> set[str]:
    return {uid.split("@")[0] for uid in uids(body) if uid.startswith("booking-")}


def test_the_feed_holds_bookings_starting_from_4_weeks_back_to_12_weeks_ahead(world, app, client):
    inside = [booked_on(world.teacher, world.lab, 8, 5), booked_on(world.teacher, world.lab, 11, 23)]
    outside = [booked_on(world.teacher, world.lab, 8, 3), booked_on(world.teacher, world.lab, 11, 25)]
    body = client.get(subscribe(world.coordinator, "district")).data
    shown = booking_uids(body)
    assert {f"booking-{n}" for n in inside} <= shown and not {f"booking-{n}" for n in outside} & shown
    assert b"X-DISTRICT-SHARE-TRUNCATED" not in body

    app.config.update(DISTRICT_FEED_WEEKS_BACK=5, DISTRICT_FEED_WEEKS_AHEAD=13)
    assert {f"booking-{n}" for n in outside} <= booking_uids(client.get(subscribe(world.coordinator, "district")).data)


def test_over_the_limit_the_earliest_events_are_kept_and_a_marker_says_so(world, app, client):
    app.config["DISTRICT_FEED_MAX_EVENTS"] = 3
    body = client.get(subscribe(world.coordinator, "district")).data
    calendar = parse(body)
    assert str(calendar["X-DISTRICT-SHARE-TRUNCATED"]) == "3"
    events = calendar.walk("VEVENT")
    marker = [event for event in events if str(event["UID"]).startswith("district-feed-limit@")]
    kept = [event for event in events if event not in marker]
    # In start order: the single on 3 Sep (the one cancelled on 4 Sep is still shown), then the secret on 7 Sep.
    assert [str(event["UID"]).split("@")[0] for event in kept] == [
        f"booking-{world.single.id}", f"booking-{world.dropped.id}", f"booking-{world.secret.id}"]
    (notice,) = marker
    assert notice["DTSTART"].dt == date(2026, 9, 8)  # the visit, the first one left out
    assert "3" in str(notice["SUMMARY"]) and str(notice["TRANSP"]) == "TRANSPARENT"

    app.config["DISTRICT_FEED_MAX_EVENTS"] = 5000
    assert b"district-feed-limit@" not in client.get(subscribe(world.coordinator, "district")).data


def test_pages_of_the_walk_give_the_same_feed(world, client, monkeypatch):
    path = subscribe(world.coordinator, "district")
    whole = client.get(path).data
    monkeypatch.setattr(district, "BATCH", 2)  # pages of two bookings, batches of two events
    assert client.get(path).data == whole
    assert intervals(expanded(whole)) == stored_intervals()  # every stored date: all are in the window


def test_a_304_reads_the_counter_and_no_booking_row(world, client):
    path = subscribe(world.coordinator, "district")
    etag = client.get(path).headers["ETag"]
    with count_statements() as statements:
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    validator = [s for s in statements if "feed_revisions" in s]
    assert len(validator) == 1 and len(statements) <= 5, statements
    booking_reads = [s for s in statements if "bookings" in s]
    assert booking_reads == validator  # and there only as max(bookings.updated_at), an index lookup
    assert "max(bookings.updated_at)" in validator[0] and "count(" not in validator[0].lower()


def etag_after(client, path: str, change) -> tuple[str, str]:
    before = client.get(path).headers["ETag"]
    change()
    return before, client.get(path).headers["ETag"]


@pytest.mark.parametrize("change", ["cancel", "move", "cancel_series", "new_far_ahead", "plain_sql"])
def test_every_write_changes_the_validator_even_at_the_same_instant(world, client, change):
    """The clock stands still, so no updated_at moves: the counter alone must tell."""
    path = subscribe(world.coordinator, "district")
    changes = {
        "cancel": lambda: cancel_booking(world.teacher, world.single, "occurrence"),
        "move": lambda: change_booking(world.teacher, world.series_rows[5], BookingChanges(
            day=date(2026, 10, 16), start_time=time(14, 0), end_time=time(14, 40)), "occurrence"),
        "cancel_series": lambda: cancel_booking(world.teacher, world.series_rows[0], "series"),
        "new_far_ahead": lambda: booked_on(world.teacher, world.lab, 12, 21),  # outside the window, still counted
        "plain_sql": lambda: db.session.execute(text("UPDATE bookings SET title = 'x' WHERE id = :id"),
                                                {"id": world.secret.id}),
    }
    frozen = clock.utcnow()
    before, after = etag_after(client, path, changes[change])
    assert clock.utcnow() == frozen
    assert before != after


def test_limits_come_from_the_environment_and_bad_ones_stop_the_start(tmp_path):
    config = from_environment({"SECRET_KEY": "x", "DISTRICT_FEED_WEEKS_BACK": "2", "DISTRICT_FEED_WEEKS_AHEAD": "8",
                               "DISTRICT_FEED_MAX_EVENTS": "1000"}, tmp_path)
    assert (config["DISTRICT_FEED_WEEKS_BACK"], config["DISTRICT_FEED_WEEKS_AHEAD"],
            config["DISTRICT_FEED_MAX_EVENTS"]) == (2, 8, 1000)
    for name, value in (("DISTRICT_FEED_MAX_EVENTS", "0"), ("DISTRICT_FEED_WEEKS_AHEAD", "many")):
        with pytest.raises(ConfigError, match=name):
            from_environment({"SECRET_KEY": "x", name: value}, tmp_path)
