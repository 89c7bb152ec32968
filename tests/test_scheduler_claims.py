"""Claims, catch-up and the manual command: every scheduled run happens once, and missed ones are made up."""
import gc
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from booking import clock
from booking.accounts.models import DigestFrequency
from booking.bookings.models import BookingStatus
from booking.digests import jobs as jobs_module
from booking.digests.jobs import (DIGESTS, EXPIRE_REQUESTS, ITINERARY, RELEASE, REMINDERS, WAITLIST, jobs, run_due,
                                  run_slot)
from booking.digests.models import DigestMarker, JobRun, OutboxMessage
from booking.digests.scheduler import build_scheduler
from booking.digests.slots import ClockTimeError, due_slots, parse_clock_time
from booking.extensions import db
from tests.booking_support import local
from tests.digest_support import CUT, at_digest_time, build_scenario

SHANGHAI = ZoneInfo("Asia/Shanghai")
NIGHTLY = CronTrigger(hour=21, minute=0, timezone=SHANGHAI)


def utc(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


# --- which slots are due (pure) ---------------------------------------------------------

def test_a_job_that_never_ran_runs_only_the_slot_just_passed():
    assert due_slots(NIGHTLY, utc(11, 18, 2), [], None, catch_up=True) == []  # 10:00 in Shanghai
    assert due_slots(NIGHTLY, utc(11, 18, 13, 0), [], None, catch_up=True) == [utc(11, 18, 13)]


def test_missed_nights_of_the_last_three_days_are_caught_up_oldest_first():
    ran_on_14th = utc(11, 14, 13)
    due = due_slots(NIGHTLY, utc(11, 18, 2), [ran_on_14th], ran_on_14th, catch_up=True)
    assert due == [utc(11, 15, 13), utc(11, 16, 13), utc(11, 17, 13)]
    # A week away: only the last three days are made up.
    assert due_slots(NIGHTLY, utc(11, 25, 2), [ran_on_14th], ran_on_14th, catch_up=True) == [
        utc(11, 22, 13), utc(11, 23, 13), utc(11, 24, 13)]
    assert due_slots(NIGHTLY, utc(11, 18, 2), [utc(11, 15, 13), utc(11, 17, 13)], ran_on_14th, True) == [
        utc(11, 16, 13)]


def test_a_job_without_catch_up_runs_its_latest_slot_only():
    hourly = CronTrigger(minute=0, timezone=SHANGHAI)
    first = utc(11, 10, 0)
    assert due_slots(hourly, utc(11, 18, 2, 30), [], first, catch_up=False) == [utc(11, 18, 2)]
    assert due_slots(hourly, utc(11, 18, 2, 30), [utc(11, 18, 2)], first, catch_up=False) == []


def test_clock_times_are_checked_with_the_settings_name():
    assert parse_clock_time("21:00", "DIGEST_TIME") == time(21, 0)
    assert parse_clock_time(" 6:30 ", "X") == time(6, 30)
    for bad in ("9pm", "24:00", "21:0", "", "21-00"):
        with pytest.raises(ClockTimeError, match="DIGEST_TIME"):
            parse_clock_time(bad, "DIGEST_TIME")


# --- claims against the database ---------------------------------------------------------

def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_claimed_slot_is_not_run_again(app):
    build_scenario()
    at_digest_time()
    job = jobs()[DIGESTS]
    first = run_slot(job, CUT, "first")
    rendered = _count(OutboxMessage)
    second = run_slot(job, CUT, "second")
    assert first.ran and not second.ran and "already claimed by first" in second.summary
    assert rendered == 3 and _count(OutboxMessage) == rendered and _count(JobRun) == 1
    assert db.session.scalar(select(JobRun)).summary == "2026-11-18: 3 daily and 0 weekly digests rendered into the outbox"


def test_a_scheduler_starting_after_missed_nights_catches_up_each_once(app):
    build_scenario()
    job = jobs()[DIGESTS]
    clock.freeze(local(11, 14, 21, 0) + timedelta(seconds=3))
    assert [r.scheduled_for for r in run_due(job, "night of the 14th")] == [utc(11, 14, 13)]
    clock.freeze(local(11, 18, 10))  # the scheduler was down from the 15th; it starts on the 18th at 10:00
    caught_up = run_due(job, "restarted")
    assert [(r.scheduled_for, r.ran) for r in caught_up] == [(utc(11, 15, 13), True), (utc(11, 16, 13), True),
                                                             (utc(11, 17, 13), True)]
    assert run_due(job, "another sweep") == []
    # The 14th had nothing to tell anyone; from the 15th the gym request waits for the admin.
    dates = db.session.scalars(select(OutboxMessage.digest_date).distinct().order_by(OutboxMessage.digest_date))
    assert [d.day for d in dates] == [15, 16, 17]


def test_a_failed_run_leaves_no_claim_and_is_retried(app, monkeypatch):
    build_scenario()
    at_digest_time()
    real = jobs_module.render_into_outbox

    def render_then_fail(*args):
        real(*args)
        raise RuntimeError("database went away")

    monkeypatch.setattr(jobs_module, "render_into_outbox", render_then_fail)
    with pytest.raises(RuntimeError):
        run_due(jobs()[DIGESTS], "unlucky")
    assert (_count(JobRun), _count(OutboxMessage), _count(DigestMarker)) == (0, 0, 0)
    monkeypatch.setattr(jobs_module, "render_into_outbox", real)
    assert [r.ran for r in run_due(jobs()[DIGESTS], "next sweep")] == [True]
    assert _count(OutboxMessage) == 3


def test_outbox_skips_people_who_chose_none_weekly_or_are_inactive(app):
    scenario = build_scenario()
    scenario.teacher.digest_frequency = DigestFrequency.WEEKLY  # a Wednesday: no weekly digest
    scenario.admin.digest_frequency = DigestFrequency.NONE
    scenario.lead_teacher.active = False
    db.session.commit()
    at_digest_time()
    run_slot(jobs()[DIGESTS], CUT, "test")
    assert [m.recipient_id for m in db.session.scalars(select(OutboxMessage))] == [scenario.coordinator.id]
    marker = db.session.get(DigestMarker, scenario.coordinator.id)
    assert marker.covered_until == CUT and marker.digest_date.day == 18


def test_the_expiry_job_expires_unanswered_requests_once_an_hour(app):
    scenario = build_scenario()
    clock.freeze(local(11, 19, 14, 20))  # the gym request's start (14:00) has passed
    job = jobs()[EXPIRE_REQUESTS]
    [result] = run_due(job, "test")
    assert result.ran and result.summary == "1 unanswered requests expired"
    db.session.refresh(scenario.request)
    assert scenario.request.status == BookingStatus.EXPIRED
    assert run_due(job, "same hour") == []


# --- the commands and the scheduler process -------------------------------------------------

def _outbox_files(app) -> dict[str, tuple[bytes, int]]:
    folder = Path(app.instance_path) / "outbox"
    return {path.name: (path.read_bytes(), path.stat().st_mtime_ns) for path in folder.glob("*.eml")}


def test_manual_send_twice_writes_nothing_new(app):
    build_scenario()
    at_digest_time()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["digests", "send", "--date", "2026-11-18"])
    assert first.exit_code == 0, first.output
    assert "3 daily and 0 weekly digests" in first.output and "3 sent, 0 failed" in first.output
    files = _outbox_files(app)
    assert sorted(files) == sorted(f"2026-11-18-daily-user{m.recipient_id}.eml"
                                   for m in db.session.scalars(select(OutboxMessage)))
    second = runner.invoke(args=["digests", "send", "--date", "2026-11-18"])
    assert second.exit_code == 0 and "nothing new rendered" in second.output and "0 sent" in second.output
    assert _outbox_files(app) == files and _count(OutboxMessage) == 3 and _count(JobRun) == 1


def test_manual_send_shares_the_schedulers_claim(app):
    build_scenario()
    at_digest_time()
    run_due(jobs()[DIGESTS], "scheduler")
    result = app.test_cli_runner().invoke(args=["digests", "send", "--date", "2026-11-18"])
    assert "already claimed by scheduler" in result.output and _count(JobRun) == 1


def test_bad_date_and_bad_settings_get_clear_messages(app):
    runner = app.test_cli_runner()
    bad_date = runner.invoke(args=["digests", "send", "--date", "2026-13-01"])
    assert bad_date.exit_code == 2 and "--date" in bad_date.output
    app.config["DIGEST_TIME"] = "9pm"
    bad_time = runner.invoke(args=["digests", "send", "--date", "2026-11-18"])
    assert bad_time.exit_code == 1 and "DIGEST_TIME must be a time of day as HH:MM" in bad_time.output
    app.config.update(DIGEST_TIME="21:00", MAIL_SERVER="smtp.example.cn", MAIL_PORT="smtp")
    bad_port = runner.invoke(args=["digests", "deliver"])
    assert bad_port.exit_code == 1 and "MAIL_PORT must be a port number" in bad_port.output
    assert _count(JobRun) == 0


def test_the_scheduler_process_has_its_jobs_at_the_district_times(app):
    scheduler = build_scheduler(app, "test")
    by_id = {job.id: job for job in scheduler.get_jobs()}
    assert set(by_id) == {DIGESTS, EXPIRE_REQUESTS, ITINERARY, RELEASE, REMINDERS, WAITLIST, "sweep", "deliver",
                          "imports"}
    nightly = by_id[DIGESTS].trigger
    assert nightly.get_next_fire_time(None, utc(11, 18, 2)) == datetime(2026, 11, 18, 21, tzinfo=SHANGHAI)
    assert not scheduler.running


def test_the_web_app_never_runs_a_scheduler(app, client):
    client.get("/login")
    assert not any(isinstance(thing, BaseScheduler) and thing.running for thing in gc.get_objects())
