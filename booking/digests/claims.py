"""Claiming a scheduled run: the insert into ``job_runs`` that only one process can make.

Why the UNIQUE constraint is enough (no advisory lock): on PostgreSQL a second transaction
inserting the same (job, scheduled_for) waits for the first one to end; if the first commits,
the second gets a unique violation and does nothing; if the first dies or rolls back, the
second's insert goes through and it does the run instead. On SQLite writers are serialised.
The claim is the first statement of its transaction and commits with the job's work.
"""
from __future__ import annotations

import os
import socket
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from booking.clock import utcnow
from booking.digests.models import JobRun
from booking.extensions import db


def worker_name(how: str) -> str:
    """Who claimed a run, for the log and the ``job_runs`` row: host, process and how it was started."""
    return f"{socket.gethostname()}:{os.getpid()} ({how})"[:200]


def claim(job: str, scheduled_for: datetime, worker: str) -> JobRun | None:
    """Insert the claim (not yet committed); None when another process holds or finished it."""
    run = JobRun(job=job, scheduled_for=scheduled_for.astimezone(timezone.utc), claimed_by=worker,
                 claimed_at=utcnow(), summary="")
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def existing_claim(job: str, scheduled_for: datetime) -> JobRun | None:
    return db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.scheduled_for == scheduled_for))


def claimed_since(job: str, since: datetime) -> tuple[list[datetime], datetime | None]:
    """The job's claimed slots after ``since``, and its first claim ever (None: it never ran)."""
    slots = list(db.session.scalars(select(JobRun.scheduled_for).where(JobRun.job == job,
                                                                        JobRun.scheduled_for > since)))
    first = db.session.scalar(select(func.min(JobRun.scheduled_for)).where(JobRun.job == job))
    # MIN() comes back without the column type on some backends: make it an aware UTC instant.
    if first is not None and first.tzinfo is None:
        first = first.replace(tzinfo=timezone.utc)
    return slots, first
