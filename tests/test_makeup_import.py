"""Public holiday calendars (法定节假日 .ics): holidays become closures, 补班 days make-up teaching days."""
from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Event
from sqlalchemy import func, select

from booking.accounts.models import Role
from booking.calendars.ics_import import followed_weekday, is_makeup, read_events
from booking.calendars.imports import CLOSURES, ImportTarget, apply_import, plan_import
from booking.extensions import db
from booking.schools.models import Closure, MakeupDay
from tests import factories
from tests.test_ics_import import calendar, vevent

ZONE = ZoneInfo("Asia/Shanghai")
FIXTURE = (Path(__file__).parent / "data" / "china_holidays_2026.ics").read_bytes()
FILE_HOLIDAYS, FILE_MAKEUP_DAYS = 7, 6  # what the fixture lists (国务院办公厅, 2026)
PAYLOAD = re.compile(r'name="payload" type="hidden" value="([^"]+)"')
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def event(summary: str, **props) -> Event:
    found = Event()
    found.add("summary", summary)
    for name, value in props.items():
        found.add(name.replace("_", "-"), value)
    return found


@pytest.mark.parametrize("summary, props", [
    ("国庆节补班", {}), ("春节上班", {}), ("国庆节调休", {}), ("班", {}), ("班｜国庆节", {}), ("[班] 国庆节", {}),
    ("国庆节", {"x_apple_special_day": "ALTERNATE-WORKDAY"}), ("国庆节", {"categories": ["补班"]}),
])
def test_the_markers_of_a_makeup_working_day_are_recognised(summary, props):
    assert is_makeup(event(summary, **props))


@pytest.mark.parametrize("summary, props", [
    ("国庆节", {}), ("休｜国庆节", {}), ("调休放假", {}), ("班主任会议", {}), ("运动会", {}),
    ("补班", {"x_apple_special_day": "WORK-HOLIDAY"}),
])
def test_holidays_and_other_events_are_not_makeup_days(summary, props):
    assert not is_makeup(event(summary, **props))


@pytest.mark.parametrize("text, weekday", [("补班（上周五的课）", FRI), ("补班，按星期三课表", WED), ("补周一的课", MON),
                                           ("Make-up day: Friday timetable", FRI), ("国庆节补班", None)])
def test_the_weekday_a_file_names_is_read(text, weekday):
    assert followed_weekday(event(text)) == weekday


def test_the_2026_calendar_reads_as_holidays_and_makeup_days_with_guessed_weekdays():
    events = read_events(FIXTURE, ZONE)
    holidays, makeups = [e for e in events if not e.makeup], [e for e in events if e.makeup]
    assert len(holidays) == FILE_HOLIDAYS and len(makeups) == FILE_MAKEUP_DAYS
    assert {e.start: e.weekday for e in makeups} == {
        date(2026, 1, 4): FRI,  # 元旦 1–3 Jan: the Friday moved
        date(2026, 2, 14): FRI, date(2026, 2, 28): MON,  # 春节 15–23 Feb: Friday 20 and Monday 23 moved
        date(2026, 5, 9): TUE,  # 劳动节 1–5 May
        date(2026, 9, 20): TUE, date(2026, 10, 10): WED,  # 国庆节 1–7 Oct: Tuesday 6 and Wednesday 7 moved
    }
    assert all(e.follows is None for e in makeups)  # the file does not say: guesses


def test_a_weekday_the_file_gives_wins_and_a_makeup_day_without_holiday_nearby_keeps_its_own():
    events = read_events(calendar(
        vevent("调休上课（补周五的课）", "DTSTART;VALUE=DATE:20261129", uid="a"),
        vevent("补班", "DTSTART;VALUE=DATE:20261125", uid="b")), ZONE)
    assert [(e.makeup, e.follows, e.weekday) for e in events] == [(True, FRI, FRI), (True, None, WED)]


@pytest.fixture
def coordinator(app):
    return factories.user(role=Role.COORDINATOR)


def counts() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(Closure)),
            db.session.scalar(select(func.count()).select_from(MakeupDay)))


def test_importing_2026_gives_closures_and_makeup_days_with_the_files_counts_and_again_nothing(coordinator):
    events, target = read_events(FIXTURE, ZONE), ImportTarget(CLOSURES)
    plan = apply_import(events, target, coordinator)
    assert len(plan.of("add", makeup=False)) == FILE_HOLIDAYS and len(plan.of("add", makeup=True)) == FILE_MAKEUP_DAYS
    assert counts() == (FILE_HOLIDAYS, FILE_MAKEUP_DAYS)
    days = {d.day: (d.follows_weekday, d.reason, d.school_id) for d in db.session.scalars(select(MakeupDay))}
    assert days[date(2026, 9, 20)] == (TUE, "国庆节补班", None)
    assert not db.session.scalar(select(func.count()).select_from(Closure).where(Closure.start_date == date(2026, 9, 20)))

    again = plan_import(read_events(FIXTURE, ZONE), target)
    assert not again.has_changes and {c.action for c in again.changes} == {"keep"}
    apply_import(read_events(FIXTURE, ZONE), target, coordinator)
    assert counts() == (FILE_HOLIDAYS, FILE_MAKEUP_DAYS)


def test_a_weekday_chosen_in_the_preview_is_kept_by_later_imports(coordinator):
    events, target = read_events(FIXTURE, ZONE), ImportTarget(CLOSURES)
    uid = next(e.uid for e in events if e.start == date(2026, 9, 20))
    apply_import(events, target, coordinator, chosen={uid: FRI})
    assert db.session.scalar(select(MakeupDay.follows_weekday).where(MakeupDay.day == date(2026, 9, 20))) == FRI
    assert not plan_import(read_events(FIXTURE, ZONE), target).has_changes


def test_makeup_days_missing_from_a_later_file_are_removed_and_one_schools_import_stays_its_own(coordinator):
    school = factories.school()
    apply_import(read_events(FIXTURE, ZONE), ImportTarget(CLOSURES, school.id), coordinator)
    assert {d.school_id for d in db.session.scalars(select(MakeupDay))} == {school.id}
    only_holidays = calendar(vevent("国庆节", "DTSTART;VALUE=DATE:20261001", "DTEND;VALUE=DATE:20261008", uid="n"))
    apply_import(read_events(only_holidays, ZONE), ImportTarget(CLOSURES, school.id), coordinator)
    assert counts() == (1, 0)


# --- in the browser ---------------------------------------------------------------------------------

@pytest.fixture
def coordinator_client(app, login_as):
    return login_as(factories.user(role=Role.COORDINATOR, locale="en"))


def _upload(client, data: bytes):
    form = {"kind": "closures", "school_id": "", "remove_missing": "y", "url": "",
            "file": (io.BytesIO(data), "holidays.ics")}
    return client.post("/admin/calendar-import", data=form, content_type="multipart/form-data")


def test_the_preview_asks_which_weekday_each_makeup_day_follows(coordinator_client):
    page = _upload(coordinator_client, FIXTURE).get_data(as_text=True)
    assert 'id="makeup-days"' in page and page.count('<select id="follows-') == FILE_MAKEUP_DAYS
    rows = {c: n for n, c in enumerate(sorted([date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9),
                                               date(2026, 9, 20), date(2026, 10, 10)]))}
    done = coordinator_client.post("/admin/calendar-import/apply", data={
        "payload": PAYLOAD.search(page).group(1), f"follows-{rows[date(2026, 9, 20)]}": str(FRI)})
    assert done.status_code == 302 and counts() == (FILE_HOLIDAYS, FILE_MAKEUP_DAYS)
    assert db.session.scalar(select(MakeupDay.follows_weekday).where(MakeupDay.day == date(2026, 9, 20))) == FRI
    again = _upload(coordinator_client, FIXTURE).get_data(as_text=True)
    assert "13 events are already imported" in again  # the chosen weekday is kept: nothing changes
    coordinator_client.post("/admin/calendar-import/apply", data={"payload": PAYLOAD.search(again).group(1)})
    assert counts() == (FILE_HOLIDAYS, FILE_MAKEUP_DAYS)
    assert db.session.scalar(select(MakeupDay.follows_weekday).where(MakeupDay.day == date(2026, 9, 20))) == FRI
