"""The scheduled jobs, and running one of their slots exactly once.

``run_slot`` claims (job, scheduled_for) and, only if the claim is ours, does the job's work in
the same transaction and commits both. ``run_due`` runs the slots that are due now, catch-up
included (see ``slots``). The scheduler process, the manual ``digests send`` and the tests all
go through these two functions.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Callable

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from flask import current_app

from booking.bookings.approvals import expire_stale_requests
from booking.clock import utcnow
from booking.digests.claims import claim, claimed_since, existing_claim
from booking.digests.itinerary import ITINERARY_TIME, itinerary_work
from booking.digests.models import DigestKind, JobRun
from booking.digests.outbox import render_into_outbox
from booking.digests.slots import CATCH_UP, due_slots, parse_clock_time
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc, to_local
from booking.bookings.checkin import release_due
from booking.notifications.reminders import REMINDER_CRON_MINUTES, reminder_work
from booking.waitlist.jobs import waitlist_work

log = logging.getLogger("booking.scheduler")

DIGESTS, EXPIRE_REQUESTS, ITINERARY, RELEASE = "digests", "expire-requests", "itinerary", "release-no-shows"
REMINDERS = "reminders"
WAITLIST = "waitlist-offers"
RELEASE_MINUTES = "*/5"  # a booking is released within five minutes of the end of its check-in grace


@dataclass(frozen=True)
class Job:
    name: str
    trigger: BaseTrigger
    work: Callable[[JobRun, datetime], str]  # does the run inside the claiming transaction; returns a summary
    catch_up: bool


@dataclass(frozen=True)
class SlotResult:
    job: str
    scheduled_for: datetime
    ran: bool
    summary: str  # what the run did, or who had claimed it


def digest_work(run: JobRun, scheduled_for: datetime) -> str:
    digest_date = to_local(scheduled_for).date()
    # A manual send before the digest time cuts at "now", so later changes wait for the next digest.
    written = render_into_outbox(run, digest_date, min(scheduled_for, utcnow()))
    return (f"{digest_date.isoformat()}: {written[DigestKind.DAILY]} daily and "
            f"{written[DigestKind.WEEKLY]} weekly digests rendered into the outbox")


def expire_work(run: JobRun, scheduled_for: datetime) -> str:
    return f"{expire_stale_requests(utcnow())} unanswered requests expired"


def release_work(run: JobRun, scheduled_for: datetime) -> str:
    return f"{release_due(min(scheduled_for, utcnow()))} bookings nobody checked in for released"


def waitlist_job_work(run: JobRun, scheduled_for: datetime) -> str:
    return waitlist_work(min(scheduled_for, utcnow()))


def digest_time() -> time:
    return parse_clock_time(current_app.config["DIGEST_TIME"], "DIGEST_TIME")


def jobs() -> dict[str, Job]:
    """The jobs of this installation (the district zone and DIGEST_TIME come from the config)."""
    zone, at = district_zone(), digest_time()
    return {
        DIGESTS: Job(DIGESTS, CronTrigger(hour=at.hour, minute=at.minute, timezone=zone), digest_work, catch_up=True),
        # Requests expire at their start; an hourly sweep keeps the queue and the digests honest.
        EXPIRE_REQUESTS: Job(EXPIRE_REQUESTS, CronTrigger(minute=0, timezone=zone), expire_work, catch_up=False),
        # The visiting teachers' day, each morning; a missed morning is not caught up days later.
        ITINERARY: Job(ITINERARY, CronTrigger(hour=ITINERARY_TIME.hour, minute=ITINERARY_TIME.minute, timezone=zone),
                       itinerary_work, catch_up=False),
        # Bookings nobody checked in for: each slot claimed once, each release a compare-and-set.
        RELEASE: Job(RELEASE, CronTrigger(minute=RELEASE_MINUTES, timezone=zone), release_work, catch_up=False),
        # Reminders N minutes before a booking (booking.notifications.reminders): once per booking and person.
        REMINDERS: Job(REMINDERS, CronTrigger(minute=REMINDER_CRON_MINUTES, timezone=zone), reminder_work,
                       catch_up=False),
        # Waitlist offers not taken in time pass to the next in line (each minute's slot claimed once).
        WAITLIST: Job(WAITLIST, CronTrigger(minute="*", timezone=zone), waitlist_job_work, catch_up=False),
    }


def digest_slot(digest_date: date) -> datetime:
    """The scheduled instant of ``digest_date``'s digest: the claim a manual send shares with the scheduler."""
    return local_to_utc(digest_date, digest_time())


def _holder_text(job: Job, scheduled_for: datetime) -> str:
    holder = existing_claim(job.name, scheduled_for)
    if holder is None:
        return "claimed by another process"
    return f"already claimed by {holder.claimed_by} at {holder.claimed_at:%Y-%m-%d %H:%M:%S} UTC ({holder.summary})"


def run_slot(job: Job, scheduled_for: datetime, worker: str) -> SlotResult:
    """Claim and run one slot; a slot someone else claimed is left alone."""
    db.session.rollback()  # the claim opens its own transaction
    run = claim(job.name, scheduled_for, worker)
    if run is None:
        result = SlotResult(job.name, scheduled_for, False, _holder_text(job, scheduled_for))
        log.info("%s %s: %s", job.name, f"{scheduled_for:%Y-%m-%d %H:%M} UTC", result.summary)
        return result
    try:
        summary = job.work(run, scheduled_for)
        run.summary = summary[:500]
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("%s %s failed; its claim was rolled back, so the next sweep runs it again",
                      job.name, f"{scheduled_for:%Y-%m-%d %H:%M} UTC")
        raise
    log.info("%s %s: claimed by %s: %s", job.name, f"{scheduled_for:%Y-%m-%d %H:%M} UTC", worker, summary)
    return SlotResult(job.name, scheduled_for, True, summary)


def run_due(job: Job, worker: str, now: datetime | None = None) -> list[SlotResult]:
    """Run every slot of ``job`` due at ``now`` that nobody claimed yet (missed ones of the last 3 days too)."""
    now = now or utcnow()
    claimed, first = claimed_since(job.name, now - CATCH_UP)
    return [run_slot(job, slot, worker) for slot in due_slots(job.trigger, now, claimed, first, job.catch_up)]
