"""Feed performance mechanics: a 304 from aggregates only, serialised blocks reused until they change."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from booking.bookings.services import cancel_booking, create_booking
from booking.calendars import cache
from booking.calendars.models import FeedEventCache
from booking.extensions import db
from tests.booking_support import count_statements, local, single
from tests.feeds_support import advance, build_world, subscribe


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def builds(monkeypatch):
    """Count the blocks actually serialised (cache misses)."""
    built = []
    original = cache.event_block

    def counting(event, zone):
        built.append(event.uid)
        return original(event, zone)

    monkeypatch.setattr(cache, "event_block", counting)
    return built


def test_a_304_costs_a_few_aggregate_queries_and_builds_nothing(world, client, builds):
    path = subscribe(world.teacher, "user")
    etag = client.get(path).headers["ETag"]
    builds.clear()
    with count_statements() as statements:
        response = client.get(path, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert builds == []
    assert not any("feed_event_cache" in s for s in statements)
    assert len(statements) <= 6, statements


def test_blocks_are_reused_until_their_booking_changes(world, client, builds):
    path = subscribe(world.teacher, "user")
    first = client.get(path).data
    assert len(builds) == 3  # the single booking, the cancelled one, the series
    builds.clear()
    assert client.get(path).data == first and builds == []
    advance(minutes=1)
    cancel_booking(world.teacher, world.series_rows[6], "occurrence")
    client.get(path)
    assert builds == [f"series-{world.moved.series_id}@" + builds[0].split("@", 1)[1]]


def test_two_detail_levels_of_one_booking_are_cached_side_by_side(world, client, builds):
    client.get(subscribe(world.teacher, "resource", world.lab.id))
    client.get(subscribe(world.outsider, "resource", world.lab.id))
    details = set(db.session.scalars(select(FeedEventCache.detail).where(
        FeedEventCache.entity == "booking", FeedEventCache.entity_id == world.single.id)))
    assert details == {"full:zh_Hans_CN", "busy:zh_Hans_CN"}
    builds.clear()
    client.get(subscribe(world.outsider, "resource", world.lab.id))
    assert builds == []


def test_blocks_of_bookings_past_the_window_are_pruned(world, client):
    path = subscribe(world.teacher, "user")
    client.get(path)
    assert db.session.scalar(select(func.count()).select_from(FeedEventCache)) == 3
    advance(days=200)  # every booking has left the window; a new one is built, the rest forgotten
    create_booking(world.teacher, single(world.lab, start=local(3, 24, 9, 50, year=2027),
                                         end=local(3, 24, 10, 30, year=2027)))
    client.get(path)
    assert db.session.scalar(select(func.count()).select_from(FeedEventCache)) == 1


def test_a_failed_cache_write_still_serves_the_feed(world, client, monkeypatch):
    def locked(entries):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(cache, "_upsert", locked)
    response = client.get(subscribe(world.teacher, "user"))
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.data
    assert db.session.scalar(select(func.count()).select_from(FeedEventCache)) == 0


def test_head_answers_like_get_without_a_body(world, client):
    path = subscribe(world.teacher, "user")
    head, get = client.head(path), client.get(path)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]


def test_a_school_feed_names_its_resources_so_the_database_can_use_both_indexes(world, client):
    """Regression: the school feed picked "its resources' bookings" through a subquery, which kept PostgreSQL
    from combining the (class school, start) and (resource, start) indexes: at 10 M bookings it read every
    booking in the window (a cold feed 9× the same school's feed alone; bench/province_bench.py)."""
    path = subscribe(world.teacher, "school", world.lab.owner_school_id)
    with count_statements() as statements:
        body = client.get(path).get_data()
    picks = [s for s in statements if "FROM bookings" in s and "bookings.resource_id IN" in s]
    assert picks and not [s for s in picks if "bookings.resource_id IN (SELECT" in s]
    assert b"SUMMARY" in body and "物理实验室".encode() in body
