"""Fifty simultaneous conflicting bookings through the real HTTP stack: gunicorn, 8 worker processes.

Run on each database (SQLite file; PostgreSQL when TEST_DATABASE_URL is set). Every request
overlaps every other (starts shifted by a minute, each an hour long), each comes from a
different teacher with their own API token, all released at the same instant.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, time, timedelta
from functools import partial

import pytest

from booking.accounts.services import issue_token
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.rules import Interval, peak_usage
from booking.extensions import db
from booking.i18n import district_zone
from booking.resources.models import Category, ResourceKind
from tests import factories
from tests.gunicorn_server import fire_together, gunicorn_server, post_json

CLIENTS = 50


@pytest.fixture(scope="module")
def server(database_url):
    with gunicorn_server(database_url, workers=8) as base_url:
        yield base_url


def _tokens(count: int) -> list[str]:
    school = factories.school()
    tokens = [issue_token(factories.user(school=school), "race")[1] for _ in range(count)]
    db.session.commit()  # the server's workers read them
    return tokens


def _bodies(resource, quantities: list[int]) -> list[dict]:
    """Hour-long bookings a minute apart, 30 days from the real today: all overlap at once."""
    zone = district_zone()
    start = datetime.combine(datetime.now(zone).date() + timedelta(days=30), time(10), tzinfo=zone)
    return [{"resource_id": resource.id, "title": f"竞速 {i}", "quantity": quantity,
             "start": (start + timedelta(minutes=i)).isoformat(), "end": (start + timedelta(minutes=60 + i)).isoformat()}
            for i, quantity in enumerate(quantities)]


def _fire(server: str, bodies: list[dict], tokens: list[str]) -> list[tuple[int, dict]]:
    url = f"{server}/api/v1/bookings"
    return fire_together([partial(post_json, url, body, token) for body, token in zip(bodies, tokens)])


def _refusal_kinds(results) -> set[str]:
    return {body["conflicts"][0]["kind"] for status, body in results if status == 409}


def _kept(resource_id: int) -> list[Booking]:
    db.session.expire_all()
    return db.session.query(Booking).filter_by(resource_id=resource_id, status=BookingStatus.CONFIRMED).all()


def test_exactly_one_of_fifty_simultaneous_bookings_wins(app, server):
    lab = factories.resource(hours=False)
    results = _fire(server, _bodies(lab, [1] * CLIENTS), _tokens(CLIENTS))
    assert Counter(status for status, _ in results) == {201: 1, 409: CLIENTS - 1}, results
    assert all(body["error"] == "conflict" for status, body in results if status == 409)
    assert _refusal_kinds(results) == {"resource_overlap"}
    [kept] = _kept(lab.id)
    assert kept.id == next(body["id"] for status, body in results if status == 201)


def test_fifty_simultaneous_equipment_loans_never_exceed_stock(app, server):
    stock = 5
    kit = factories.resource(kind=ResourceKind.EQUIPMENT, category=Category.EQUIPMENT_KIT, stock=stock,
                             capacity=None, hours=False)
    quantities = [random.Random(seed).randint(1, 3) for seed in range(CLIENTS)]
    results = _fire(server, _bodies(kit, quantities), _tokens(CLIENTS))
    statuses = Counter(status for status, _ in results)
    assert set(statuses) == {201, 409} and statuses[201] >= 1, results
    assert _refusal_kinds(results) == {"quantity"}
    kept = _kept(kit.id)
    granted = sum(q for (status, _), q in zip(results, quantities) if status == 201)
    assert sum(b.quantity for b in kept) == granted
    assert granted <= stock and granted > stock - max(quantities)  # full, as far as the requests allowed
    window = Interval(min(b.starts_at for b in kept), max(b.ends_at for b in kept))
    assert peak_usage([(Interval(b.starts_at, b.ends_at), b.quantity) for b in kept], window) <= stock
