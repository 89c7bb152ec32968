"""The scheduler process: APScheduler running the jobs, the catch-up sweep and the outbox sender.

Started only by ``flask --app wsgi scheduler`` (``create_app`` never starts it, so web workers
never run jobs). Any number of scheduler processes may run: every run is claimed first
(``jobs.run_slot``), and the sender locks each message, so nothing happens twice.

- each job fires on its own cron trigger (the nightly digest at DIGEST_TIME in the district
  zone, the hourly expiry of unanswered requests, the release every 5 minutes of bookings nobody
  checked in for, the minute-by-minute lapse of waitlist offers);
- a sweep every 10 minutes (and once at start) runs whatever is due and unclaimed: the runs
  missed while no scheduler was up (last 3 days), or one that failed and was rolled back;
- the outbox is sent after each digest run and every minute (retries wait for their backoff).
"""
from __future__ import annotations

import logging
from functools import partial

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app

from booking.digests.claims import worker_name
from booking.digests.delivery import DeliveryReport, deliver_due
from booking.digests.jobs import DIGESTS, ITINERARY, RELEASE, REMINDERS, jobs, run_due
from booking.digests.senders import Sender, sender_from_config
from booking.extensions import db
from booking.i18n import district_zone

log = logging.getLogger("booking.scheduler")

SWEEP_MINUTES = 10
DELIVERY_SECONDS = 60
MISFIRE_GRACE_SECONDS = 3600  # a late trigger still fires; the sweep covers anything later


def current_sender() -> Sender:
    return sender_from_config(current_app.config, current_app.instance_path)


def run_waiting_imports(worker: str) -> None:
    """CSV import jobs queued with no worker (IMPORT_WORKER_THREAD off, a web process gone) or stuck."""
    from booking.imports.jobs import run_waiting
    from booking.imports.kinds import KINDS

    run_waiting(worker, KINDS)


def deliver() -> DeliveryReport:
    return deliver_due(current_sender())


def run_job(job_name: str, worker: str) -> None:
    results = run_due(jobs()[job_name], worker)
    if job_name in (DIGESTS, ITINERARY, RELEASE, REMINDERS) and any(result.ran for result in results):
        deliver()


def sweep(worker: str) -> None:
    """Run every job's due, unclaimed slots (catch-up), then send what waits."""
    for job in jobs().values():
        run_due(job, worker)
    deliver()


def _in_app(app: Flask, function):
    """A job body for APScheduler's thread: an app context, a fresh session, errors logged (and survived)."""

    name = getattr(getattr(function, "func", function), "__name__", "job")

    def wrapped():
        with app.app_context():
            try:
                function()
            except Exception:  # noqa: BLE001 (the scheduler must outlive one failed run; it is retried)
                log.exception("%s failed", name)
            finally:
                db.session.remove()

    wrapped.__name__ = name
    return wrapped


def build_scheduler(app: Flask, worker: str | None = None) -> BlockingScheduler:
    worker = worker or worker_name("scheduler")
    with app.app_context():
        defined, zone = jobs(), district_zone()
    scheduler = BlockingScheduler(timezone=zone)
    for job in defined.values():
        scheduler.add_job(_in_app(app, partial(run_job, job.name, worker)), job.trigger, id=job.name,
                          name=job.name, coalesce=True, max_instances=1, misfire_grace_time=MISFIRE_GRACE_SECONDS)
    scheduler.add_job(_in_app(app, partial(sweep, worker)), IntervalTrigger(minutes=SWEEP_MINUTES, timezone=zone),
                      id="sweep", name="catch-up sweep", coalesce=True, max_instances=1)
    scheduler.add_job(_in_app(app, deliver), IntervalTrigger(seconds=DELIVERY_SECONDS, timezone=zone),
                      id="deliver", name="outbox sender", coalesce=True, max_instances=1)
    scheduler.add_job(_in_app(app, partial(run_waiting_imports, worker)), IntervalTrigger(minutes=1, timezone=zone),
                      id="imports", name="CSV imports nobody started", coalesce=True, max_instances=1)
    return scheduler


def describe(app: Flask) -> str:
    with app.app_context():
        config = current_app.config
        return (f"digests at {config['DIGEST_TIME']} {config['DISTRICT_TIMEZONE']}, visiting teachers' itineraries "
                f"at 06:30, requests expire hourly, bookings nobody checked in for are released and reminders "
                f"written every 5 min, waitlist offers lapse each minute, "
                f"catch-up sweep every {SWEEP_MINUTES} min; outbox via {current_sender().description}")


def run_scheduler(app: Flask) -> None:
    """Catch up once, then run until the process is stopped."""
    worker = worker_name("scheduler")
    scheduler = build_scheduler(app, worker)
    log.info("scheduler %s starting: %s", worker, describe(app))
    _in_app(app, partial(sweep, worker))()
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("scheduler %s stopped", worker)
