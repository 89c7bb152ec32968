"""Who sees which booking, the same everywhere (issue 11, item 1): role × sharing scope × in service or
archived × own or someone else's booking, for the API list, the API and page detail, the calendar feeds
and the single-booking .ics export. One SQL predicate (``permissions.visible_bookings_clause``) decides
them all; ``EXPECTED`` below is the rule written out once more, as a table, to hold it to.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from booking.accounts.models import Role
from booking.bookings.models import Booking, BookingStatus
from booking.calendars.shaping import booking_uid
from booking.extensions import db
from booking.resources.models import Resource, Sharing
from tests import factories
from tests.api_support import bearer
from tests.booking_support import freeze, local
from tests.feeds_support import feed_uids

SHARINGS = (Sharing.DISTRICT, Sharing.OWN_SCHOOL)
STATES = ("active", "archived")
ACTORS = ("owner_teacher", "other_teacher", "owner_admin", "other_admin", "area_coordinator", "coordinator")


@dataclass
class World:
    users: dict
    bookings: dict  # (sharing, state, booker) → Booking


@pytest.fixture
def world(app):
    """School A owns the resources; school B (same area) and school C (another area) book them."""
    freeze()
    a, b = factories.school(name="甲校", area="上片"), factories.school(name="乙校", area="上片")
    c = factories.school(name="丙校", area="下片")
    users = {
        "owner_teacher": factories.user(school=a), "other_teacher": factories.user(school=b),
        "owner_admin": factories.user(role=Role.SCHOOL_ADMIN, school=a),
        "other_admin": factories.user(role=Role.SCHOOL_ADMIN, school=c),
        "area_coordinator": factories.user(role=Role.COORDINATOR, area="下片"),
        "coordinator": factories.user(role=Role.COORDINATOR),
    }
    bookings, hour = {}, itertools.count(8)
    for sharing, state in itertools.product(SHARINGS, STATES):
        resource = factories.resource(owner_school=a, sharing=sharing, name=f"{sharing}-{state}")
        for booker in ("owner_teacher", "other_teacher"):
            user, start = users[booker], next(hour)
            row = Booking(resource_id=resource.id, booked_by_id=user.id, school_id=user.school_id,
                          starts_at=local(9, 3, start), ends_at=local(9, 3, start, 40), status=BookingStatus.CONFIRMED,
                          blocks=True, title="课", class_name="一班")
            db.session.add(row)
            bookings[(sharing, state, booker)] = row
        resource.active = state == "active"
    db.session.commit()
    return World(users, bookings)


def expected(actor: str, sharing: Sharing, state: str, booker: str) -> bool:
    """The rule as a table: district coordinators see all; everyone their own bookings; a school admin the
    bookings of their school's resources and classes; others what is in service and shared with the
    district or belongs to their own school. (The area coordinator here is of the other area: 下片.)"""
    if actor == "coordinator" or actor == booker or actor == "owner_admin":
        return True
    if actor in ("other_admin", "area_coordinator"):  # school C / area 下片: neither owns nor booked
        return state == "active" and sharing == Sharing.DISTRICT
    in_service = state == "active"
    if actor == "owner_teacher":
        return in_service
    return in_service and sharing == Sharing.DISTRICT  # other_teacher, someone else's booking


def _expected_ids(world: World, actor: str) -> set[int]:
    return {row.id for (sharing, state, booker), row in world.bookings.items()
            if expected(actor, sharing, state, booker)}


def _feed_uids(client, user) -> set[str]:
    """What every feed this user may hold shows: their own, each resource's they may subscribe to,
    their school's, the district's."""
    targets = [("user", None), ("district", None), ("school", user.school_id)]
    targets += [("resource", resource.id) for resource in db.session.query(Resource)]
    return feed_uids(client, user, targets)


@pytest.mark.parametrize("actor", ACTORS)
def test_list_detail_feed_and_export_agree_with_the_rule(world, client, actor):
    user = world.users[actor]
    headers = bearer(user)
    db.session.commit()
    wanted = _expected_ids(world, actor)

    listed = client.get("/api/v1/bookings", headers=headers, query_string={"limit": 200}).get_json()
    assert {item["id"] for item in listed["items"]} == wanted

    sign_in(client, user)
    for row in world.bookings.values():
        visible = row.id in wanted
        assert client.get(f"/api/v1/bookings/{row.id}", headers=headers).status_code == (200 if visible else 404)
        assert client.get(f"/bookings/{row.id}").status_code == (200 if visible else 404)
        assert client.get(f"/calendar/bookings/{row.id}.ics").status_code == (200 if visible else 404)

    domain = None
    uids = _feed_uids(client, user)
    if uids:
        domain = next(iter(uids)).split("@", 1)[1]
    shown = {row.id for row in world.bookings.values() if domain and booking_uid(row.id, domain) in uids}
    assert shown == wanted


def sign_in(client, user) -> None:
    response = client.post("/login", data={"email": user.email, "password": "secret-pass"})
    assert response.status_code == 302, response.get_data(as_text=True)
