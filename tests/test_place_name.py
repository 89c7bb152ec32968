"""What pages, reports, digests and feeds are titled with (``schools.services.place_name``): the district they
cover; for every district, the county's name once there are several districts, else the one district's."""
from __future__ import annotations

from booking.extensions import db
from booking.schools.models import County, District
from booking.schools.services import place_name
from tests import factories


def test_one_district_is_called_by_its_own_name(app):
    only = factories.district(name="新天学区")
    assert place_name(only.id) == place_name(None) == "新天学区"


def test_every_district_of_a_county_is_called_by_the_countys_name(app):
    first = factories.district(name="新天学区")
    second = factories.district(name="东河学区", county_id=first.county_id)
    db.session.get(County, first.county_id).name = "新天县"
    db.session.flush()
    assert (place_name(first.id), place_name(second.id), place_name(None)) == ("新天学区", "东河学区", "新天县")


def test_a_district_that_is_gone_falls_back_to_the_whole(app):
    only = factories.district(name="新天学区")
    assert place_name(only.id + 1000) == "新天学区"
    assert db.session.get(District, only.id + 1000) is None
