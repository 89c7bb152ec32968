"""Calendar feeds follow renames of what they print: schools, resources, bookers. A sign-in or a
language switch of a booker is no change of anyone else's feed, so it still answers 304."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from booking.accounts.models import User
from booking.calendars.shaping import series_events, single_event
from booking.clock import utcnow
from booking.extensions import db
from booking.resources.rules import ResourceInput
from booking.resources.services import update_resource
from booking.schools.models import School
from booking.schools.services import SchoolInput, update_school
from tests import factories
from tests.conftest import login
from tests.test_calendar_ical import SERIES, THURSDAYS, at, row, shaping
from tests.feeds_support import advance, build_world, parse, subscribe


@pytest.fixture
def world(app):
    return build_world()


@pytest.fixture
def reader(app):
    """A calendar app: fetches feeds with its own client, never signed in."""
    return app.test_client()


def revalidate(reader, path: str, before) -> object:
    """Fetch ``path`` again the way a calendar app does, with the validators of ``before``."""
    return reader.get(path, headers={"If-None-Match": before.headers["ETag"]})


def rename_school(school: School, name: str, actor) -> None:
    update_school(school, SchoolInput(code=school.code, name=name, stage=school.stage.value,
                                      enrollment=school.enrollment, is_lead=school.is_lead, is_weak=school.is_weak,
                                      area=school.area, address=school.address), actor)


def events(body: bytes) -> list:
    return list(parse(body).walk("VEVENT"))


def test_renaming_a_school_renews_the_etag_and_every_location_that_names_it(world, reader):
    path = subscribe(world.coordinator, "district")
    before = reader.get(path)
    assert revalidate(reader, path, before).status_code == 304
    advance(minutes=5)
    rename_school(world.home, "新天中心小学", world.coordinator)

    after = revalidate(reader, path, before)
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert "新天寄宿制小学" in before.data.decode() and "新天寄宿制小学" not in after.data.decode()
    lab_events = [event for event in events(after.data) if "二楼东侧" in str(event.get("LOCATION", ""))]
    assert {str(event["LOCATION"]) for event in lab_events} == {"新天中心小学 · 二楼东侧"}
    assert any("RRULE" in event for event in lab_events), "the series' master names the school too"
    single = next(e for e in events(after.data) if str(e["UID"]).startswith(f"booking-{world.single.id}@"))
    assert single["LAST-MODIFIED"].dt == utcnow().replace(microsecond=0)


def test_a_school_rename_reaches_a_client_that_only_sends_if_modified_since(world, reader):
    path = subscribe(world.coordinator, "district")
    before = reader.get(path)
    advance(minutes=5)
    rename_school(world.other, "李寨中心小学", world.coordinator)
    after = reader.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200 and "李寨中心小学" in after.data.decode()


def test_the_busy_wording_follows_a_rename_of_the_booking_school(world, reader):
    """The teacher may not read the other school's booking of the lab: it says only who booked it."""
    path = subscribe(world.teacher, "resource", world.lab.id)
    before = reader.get(path)
    assert "物理实验室 · 已被李寨小学预约" in [str(event["SUMMARY"]) for event in events(before.data)]
    advance(minutes=5)
    rename_school(world.other, "李寨中心小学", world.coordinator)

    after = revalidate(reader, path, before)
    assert after.status_code == 200
    assert "物理实验室 · 已被李寨中心小学预约" in [str(event["SUMMARY"]) for event in events(after.data)]


def test_renaming_a_resource_renews_the_etag_and_the_summaries(world, reader):
    path = subscribe(world.teacher, "user")
    before = reader.get(path)
    advance(minutes=5)
    lab = world.lab
    update_resource(lab, ResourceInput(kind=lab.kind.value, category=lab.category.value, name="物理实验室（一）",
                                       owner_school_id=lab.owner_school_id, subject="physics", capacity=45,
                                       location=lab.location), world.coordinator)

    after = revalidate(reader, path, before)
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    summaries = {str(event["SUMMARY"]) for event in events(after.data)}
    assert summaries and all(summary.startswith("物理实验室（一） · ") for summary in summaries)


def test_renaming_the_booker_renews_other_peoples_feeds_and_their_cached_events(world, reader, login_as):
    path = subscribe(world.coordinator, "district")
    before = reader.get(path)
    assert "预约人：张老师" in before.data.decode()
    advance(minutes=5)
    client = login_as(world.teacher)
    client.post("/profile", data={"display_name": "张明", "locale": "zh_CN"})

    after = revalidate(reader, path, before)
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    descriptions = [str(event.get("DESCRIPTION", "")) for event in events(after.data)]
    assert any("预约人：张明（新天寄宿制小学）" in description for description in descriptions)
    assert not any("张老师" in description for description in descriptions), "no block is served from the cache"


def test_a_sign_in_or_a_language_switch_of_the_booker_leaves_other_feeds_unchanged(world, reader, client):
    path = subscribe(world.coordinator, "district")
    before = reader.get(path)
    profile_stamp = world.teacher.profile_updated_at
    advance(minutes=5)
    assert login(client, world.teacher).status_code == 302  # through the page: it writes the sign-in time
    client.post("/language/en", data={"next": "/"})

    teacher = db.session.scalar(select(User).where(User.id == world.teacher.id))
    db.session.refresh(teacher)
    assert teacher.last_login_at == utcnow() and teacher.locale == "en"
    assert teacher.updated_at == utcnow() and teacher.profile_updated_at == profile_stamp
    again = revalidate(reader, path, before)
    assert again.status_code == 304 and again.headers["ETag"] == before.headers["ETag"]


def test_rows_written_with_plain_sql_get_the_current_time_in_utc(app, backend):
    """The server default (as the migration gave existing rows) is UTC even where the session is not."""
    district = factories.district()
    if backend == "postgresql":
        db.session.execute(text("SET LOCAL TIME ZONE 'Asia/Shanghai'"))
    db.session.execute(text(
        "INSERT INTO schools (district_id, code, name, stage, enrollment, is_lead, is_weak, area, address, active)"
        " VALUES (:district, 'RAW1', '直接写入小学', 'primary', 0, false, false, '', '', true)"),
        {"district": district.id})
    db.session.commit()
    stamp = db.session.scalar(select(School.updated_at).where(School.code == "RAW1"))
    assert abs(stamp - datetime.now(timezone.utc)) < timedelta(minutes=2)


def test_a_rename_dates_the_events_that_print_it_but_brings_back_no_old_cancellation():
    renamed = at(9, 5, 8)
    (series,) = series_events(SERIES, [row(1, THURSDAYS[0], names_updated_at=renamed), row(2, THURSDAYS[1])],
                              shaping())
    assert series.master.modified == renamed
    single = single_event(row(3, THURSDAYS[0], series_id=None, names_updated_at=renamed), shaping())
    assert single.timing.modified == renamed

    long_ago = at(7, 1, 9)  # before the 30 days cancellations are shown (shaping() starts them on 1 August)
    old = row(4, THURSDAYS[0], "cancelled", series_id=None, updated_at=long_ago, names_updated_at=renamed)
    assert single_event(old, shaping()) is None
    ended = replace(SERIES, status="cancelled", created_at=at(6, 1, 9), updated_at=long_ago)
    assert series_events(ended, [replace(old, series_id=SERIES.id)], shaping()) == []
