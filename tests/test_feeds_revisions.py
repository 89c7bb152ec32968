"""The personal, resource, teacher and school feeds revalidate from the database's change counters: a 304
reads no booking row, every write of a row a feed shows turns its 304 into a 200 (at the same instant, by
SQL too), and a write elsewhere leaves it at 304."""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import text

from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.services import cancel_booking
from booking.extensions import db
from tests.booking_support import count_statements
from tests.feeds_support import build_world, subscribe, uids


@pytest.fixture
def world(app):
    return build_world()


FEEDS = {
    "user": lambda w: (w.teacher, "user", None),
    "resource": lambda w: (w.teacher, "resource", w.lab.id),
    "teacher": lambda w: (w.outsider, "teacher", w.music.id),
    "school": lambda w: (w.teacher, "school", w.home.id),
}


def sql(statement: str, **values) -> None:
    db.session.execute(text(statement), values)


# Each write, and the feeds that show the row it writes (the others must still answer 304).
WRITES = {
    "cancel": (lambda w: cancel_booking(w.teacher, w.single, "occurrence"), {"user", "resource", "school"}),
    "move_a_series_date": (lambda w: change_booking(w.teacher, w.series_rows[5], BookingChanges(
        day=date(2026, 10, 16), start_time=time(14, 0), end_time=time(14, 40)), "occurrence"),
        {"user", "resource", "school"}),
    "sql_rename_a_visit": (lambda w: sql("UPDATE bookings SET title = '改' WHERE id = :id", id=w.visit.id),
                           {"teacher", "school"}),
    "sql_another_schools_booking": (lambda w: sql("UPDATE bookings SET class_name = '二班' WHERE id = :id",
                                                  id=w.secret.id), {"resource", "school"}),
    "sql_series_row": (lambda w: sql("UPDATE booking_series SET title = '改' WHERE id = :id",
                                     id=w.series_rows[0].series_id), {"user", "resource", "school"}),
}


@pytest.mark.parametrize("kind", list(FEEDS))
def test_a_304_reads_counters_and_no_booking_row(world, client, kind):
    path = subscribe(*FEEDS[kind](world))
    etag = client.get(path).headers["ETag"]
    with count_statements() as statements:
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    booking_reads = [s for s in statements if "bookings" in s]
    assert len(booking_reads) == 1, booking_reads  # max(bookings.updated_at): an index lookup, no scan
    assert "max(bookings.updated_at)" in booking_reads[0] and "count(" not in booking_reads[0].lower()
    assert len(statements) <= 8, statements


@pytest.mark.parametrize("write", list(WRITES))
def test_a_write_renews_exactly_the_feeds_that_show_its_row(world, client, write):
    """The clock stands still (no updated_at moves), so the counters alone must tell."""
    paths = {kind: subscribe(*FEEDS[kind](world)) for kind in FEEDS}
    etags = {kind: client.get(path).headers["ETag"] for kind, path in paths.items()}
    change, renewed = WRITES[write]
    change(world)
    answers = {kind: client.get(path, headers={"If-None-Match": etags[kind]}).status_code
               for kind, path in paths.items()}
    assert answers == {kind: 200 if kind in renewed else 304 for kind in FEEDS}


def test_a_series_is_one_feed_whatever_resource_a_date_moved_to(world, client):
    """A date of the lab's series moved to the music teacher brings the whole series into the teacher's feed:
    a change of another date (still at the lab) renews that feed too."""
    sql("UPDATE bookings SET resource_id = :music WHERE id = :id", music=world.music.id, id=world.series_rows[6].id)
    path = subscribe(*FEEDS["teacher"](world))
    first = client.get(path)
    assert f"series-{world.series_rows[0].series_id}@" in " ".join(uids(first.data))
    sql("UPDATE bookings SET title = '改' WHERE id = :id", id=world.series_rows[7].id)
    assert client.get(path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
