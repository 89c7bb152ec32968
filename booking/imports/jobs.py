"""CSV imports as background jobs (see ``models.ImportJob``): queue, claim once, run, report progress.

The upload page queues the file (``submit_import``, flush only: the request commits) and starts a
worker thread for it after the commit (``start_worker``); the scheduler also runs queued jobs nobody
started and takes over jobs whose worker vanished (``run_waiting``). Whoever runs a job first claims it
with a compare-and-set, and the job's rows commit together with its ``done``, under a condition that
the claim is still the worker's, so a file is imported once however many workers try.

Generated passwords are derived, not stored: HMAC-SHA256 of the job's random seed and the email,
keyed with the app's SECRET_KEY. The one download (``take_passwords``) clears the seed.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import threading
from datetime import timedelta

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from booking.accounts.services import INITIAL_PASSWORD_ALPHABET, INITIAL_PASSWORD_LENGTH, normalise_email
from booking.clock import utcnow
from booking.extensions import db
from booking.imports.csvfile import FileRejected, read_table
from booking.imports.models import ImportJob, ImportStatus
from booking.imports.services import ImportContext, ImportKind, run_import
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=15)  # a running job not finished by then lost its worker (5,000 rows take seconds)
_workers: list[threading.Thread] = []


def worker_name(how: str) -> str:
    """Who runs a job, for its row and the log: host, process and how it was started."""
    return f"{socket.gethostname()}:{os.getpid()} ({how})"[:200]


def _locale_of(user) -> str:
    supported = current_app.config["SUPPORTED_LOCALES"]
    locale = getattr(user, "locale", None)
    return locale if locale in supported else current_app.config["BABEL_DEFAULT_LOCALE"]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dedupe_key(kind: str, actor_id: int, digest: str) -> str:
    return f"{kind}:{actor_id}:{digest}"


def _job_with_key(key: str) -> ImportJob | None:
    return db.session.scalar(select(ImportJob).where(ImportJob.dedupe_key == key))


def submit_import(kind: ImportKind, data: bytes, filename: str, actor, max_rows: int) -> tuple[ImportJob, bool]:
    """Queue ``data`` for import by ``actor`` (flush only): (the job, True); the same file already queued,
    running or imported by them: (that job, False). Raises ``FileRejected`` at once for a file that
    cannot be read. Call it before anything else is written in the transaction (a lost race rolls back)."""
    rows = read_table(data, filename, kind.columns, max_rows)
    key = dedupe_key(kind.key, actor.id, file_digest(data))
    existing = _job_with_key(key)
    if existing is not None:
        return existing, False
    job = ImportJob(kind=kind.key, filename=(filename or "")[:255], file_sha256=file_digest(data), dedupe_key=key,
                    created_by_id=actor.id, data=data, steps_total=kind.steps(len(rows)),
                    password_seed=secrets.token_hex(32))
    db.session.add(job)
    try:
        db.session.flush()
    except IntegrityError:  # a second click at the same moment: its insert met the first's key
        db.session.rollback()  # the job's insert is the first write of its transaction (as a claim's is)
        existing = _job_with_key(key)
        if existing is None:
            raise
        return existing, False
    return job, True


def start_queued(app: Flask, job: ImportJob, created: bool, kinds: dict[str, ImportKind]) -> None:
    """After the boundary committed ``submit_import``'s job (the worker reads it from the database): its
    worker, unless the app runs none (the scheduler will) or the file was sent already."""
    if created and app.config["IMPORT_WORKER_THREAD"]:
        start_worker(app, job.id, kinds)


def derive_password(secret: str, seed: str, email: str) -> str:
    """The generated initial password of ``email`` in a job: the same every time for the same seed."""
    digest = hmac.new(f"{secret}\x00{seed}".encode(), email.encode(), hashlib.sha256).digest()
    number, alphabet, chars = int.from_bytes(digest, "big"), INITIAL_PASSWORD_ALPHABET, []
    for _ in range(INITIAL_PASSWORD_LENGTH):
        number, index = divmod(number, len(alphabet))
        chars.append(alphabet[index])
    return "".join(chars)


def take_passwords(job: ImportJob) -> list[tuple[str, str, str]] | None:
    """The generated passwords (email, name, password), once: the seed is cleared by a compare-and-set
    (flush only), so a second download, or one racing the first, gets None."""
    seed = job.password_seed
    if seed is None or job.status != ImportStatus.DONE:
        return None
    cleared = db.session.execute(update(ImportJob).where(ImportJob.id == job.id, ImportJob.password_seed == seed)
                                 .values(password_seed=None).execution_options(synchronize_session=False))
    if cleared.rowcount != 1:
        return None
    db.session.expire(job)
    secret = current_app.config["SECRET_KEY"]
    return [(email, name, derive_password(secret, seed, normalise_email(email)))
            for email, name in json.loads(job.generated_json or "[]")]


# --- running a job (a job's boundary: it commits) --------------------------------------------------


def claim_job(job_id: int, worker: str) -> bool:
    """queued → running for ``worker``, committed; False when another worker has it (or had it)."""
    claimed = db.session.execute(update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == ImportStatus.QUEUED)
                                 .values(status=ImportStatus.RUNNING, claimed_by=worker, claimed_at=utcnow())
                                 .execution_options(synchronize_session=False))
    db.session.commit()
    return claimed.rowcount == 1


def _ours(job_id: int, worker: str):
    return update(ImportJob).where(ImportJob.id == job_id, ImportJob.status == ImportStatus.RUNNING,
                                   ImportJob.claimed_by == worker).execution_options(synchronize_session=False)


def _fail(job_id: int, worker: str, message: str = "", errors: list[dict] | None = None, error_count: int = 0) -> None:
    """Nothing imported: say why, give the file's key up (it may be sent again) and drop the file."""
    db.session.rollback()
    db.session.execute(_ours(job_id, worker).values(
        status=ImportStatus.FAILED, dedupe_key=None, data=None, password_seed=None, message=message[:500],
        errors_json=json.dumps(errors or [], ensure_ascii=False), error_count=error_count, finished_at=utcnow()))
    db.session.commit()


class _Progress:
    """Steps done, written on a connection of its own (the import's own transaction commits only at the
    end). Best effort: where SQLite's single writer is busy, the bar waits for the next report."""

    def __init__(self, job_id: int):
        self.job_id = job_id

    def __call__(self, done: int) -> None:
        try:
            with db.engine.begin() as connection:
                connection.execute(update(ImportJob.__table__).where(ImportJob.__table__.c.id == self.job_id)
                                   .values(steps_done=done))
        except OperationalError:
            log.info("import job %s: progress not written (database busy)", self.job_id)


def run_claimed(job_id: int, worker: str, kinds: dict[str, ImportKind]) -> ImportStatus:
    """Run a job ``worker`` claimed: import every row (committing with ``done``) or none (``failed``)."""
    job = db.session.get(ImportJob, job_id)
    kind, actor, seed = kinds[job.kind], job.created_by, job.password_seed or ""
    secret, max_rows = current_app.config["SECRET_KEY"], current_app.config["CSV_MAX_ROWS"]
    context = ImportContext(password_for=lambda email: derive_password(secret, seed, email), progress=_Progress(job_id))
    with force_locale(_locale_of(actor)):
        try:
            staged = run_import(kind, job.data or b"", job.filename, actor, max_rows, context)
        except FileRejected as rejected:
            _fail(job_id, worker, message=str(rejected.message))
            return ImportStatus.FAILED
        except ValidationFailed as failed:  # text no column can hold (db_setup's check before the flush)
            _fail(job_id, worker, message="; ".join(f"{name}: {message}" for name, message in failed.errors.items()))
            return ImportStatus.FAILED
        except Exception:  # noqa: BLE001 (a crash imports nothing and is said on the page; the log has it)
            log.exception("import job %s failed", job_id)
            _fail(job_id, worker, message=str(_l("The import stopped with an unexpected error; nothing was imported.")))
            return ImportStatus.FAILED
        if staged.errors:
            errors = [{"row": e.row, "column": e.column, "message": str(e.message)} for e in staged.errors[:200]]
            _fail(job_id, worker, errors=errors, error_count=len(staged.errors))
            return ImportStatus.FAILED
        generated = [[email, name] for email, name, _password in staged.generated_passwords]
        done = db.session.execute(_ours(job_id, worker).values(
            status=ImportStatus.DONE, imported_count=len(staged.keys), steps_done=job.steps_total, data=None,
            generated_json=json.dumps(generated, ensure_ascii=False), finished_at=utcnow(),
            password_seed=seed if generated else None))
        if done.rowcount != 1:  # the claim was taken over: this worker's rows go
            db.session.rollback()
            return ImportStatus.RUNNING
        try:
            db.session.commit()
        except Exception:  # noqa: BLE001 (e.g. an email created meanwhile by hand: nothing of the file stays)
            log.exception("import job %s could not commit", job_id)
            _fail(job_id, worker, message=str(_l("The import stopped with an unexpected error; nothing was imported.")))
            return ImportStatus.FAILED
    return ImportStatus.DONE


def run_job(job_id: int, worker: str, kinds: dict[str, ImportKind]) -> ImportStatus | None:
    """Claim and run one job; None when another worker has it."""
    if not claim_job(job_id, worker):
        return None
    return run_claimed(job_id, worker, kinds)


def start_worker(app: Flask, job_id: int, kinds: dict[str, ImportKind]) -> threading.Thread:
    """Run the job in a thread of this process, in an app context of its own (call after the commit)."""

    def work():
        with app.app_context():
            try:
                run_job(job_id, worker_name("web import"), kinds)
            except Exception:  # noqa: BLE001 (the scheduler takes a stuck job over)
                log.exception("import job %s: worker failed", job_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name=f"import-job-{job_id}", daemon=True)
    _workers[:] = [t for t in _workers if t.is_alive()] + [thread]
    thread.start()
    return thread


def wait_for_workers() -> None:
    """Join the worker threads started so far (tests, and the CLI before it exits)."""
    for thread in list(_workers):
        thread.join()


def run_waiting(worker: str, kinds: dict[str, ImportKind]) -> int:
    """The scheduler's sweep: take over jobs whose worker vanished, run queued ones. Returns how many ran."""
    stale = utcnow() - STALE_AFTER
    db.session.execute(update(ImportJob).where(ImportJob.status == ImportStatus.RUNNING, ImportJob.claimed_at < stale)
                       .values(status=ImportStatus.QUEUED).execution_options(synchronize_session=False))
    db.session.commit()
    waiting = list(db.session.scalars(select(ImportJob.id).where(ImportJob.status == ImportStatus.QUEUED)
                                      .order_by(ImportJob.id)))
    return sum(1 for job_id in waiting if run_job(job_id, worker, kinds) is not None)


def status_json(job: ImportJob) -> dict:
    return {"id": job.id, "status": job.status.value, "percent": job.percent, "steps_done": job.steps_done,
            "steps_total": job.steps_total, "imported": job.imported_count, "errors": job.error_count,
            "finished": job.finished}
