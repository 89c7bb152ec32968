"""Three scheduler processes race through 30 simulated nights on PostgreSQL.

Each process has its own app and database connections and a frozen clock; a barrier starts
them together on every night. Each runs the scheduler's job function (``run_due``) and then
its outbox sender, as ``flask scheduler`` does. Every recipient must get exactly one digest a
night (weekly ones on Sundays only), and every message must be handed over exactly once.
"""
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from booking import clock, create_app
from booking.accounts.models import DigestFrequency, Role
from booking.digests.delivery import deliver_due
from booking.digests.jobs import DIGESTS, jobs, run_due
from booking.digests.models import DigestKind, JobRun, OutboxMessage, OutboxStatus
from booking.digests.senders import EmlDirectorySender
from booking.extensions import db
from booking.i18n import local_to_utc
from tests import factories
from tests.digest_support import add
from tests.race_support import in_processes, reported

pytestmark = pytest.mark.slow

PROCESSES = 3
NIGHTS = 30
FIRST_NIGHT = date(2026, 9, 7)  # a Monday of the autumn term
BARRIER_TIMEOUT = 60


class RecordingSender(EmlDirectorySender):
    """Writes the .eml as usual and notes every hand-over in this process's own log."""

    def __init__(self, directory: Path, log: Path):
        super().__init__(directory)
        object.__setattr__(self, "log", log)

    def send(self, message, key):
        super().send(message, key)
        with self.log.open("a") as file:
            file.write(key + "\n")


def scheduler_process(database_url: str, folder: str, name: str, barrier) -> None:
    folder = Path(folder)
    with reported(folder, name, barrier):
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret", "TESTING": True})
        sender = RecordingSender(folder / "outbox", folder / f"{name}.log")
        with app.app_context():
            job = jobs()[DIGESTS]
            for night in range(NIGHTS):
                clock.freeze(local_to_utc(FIRST_NIGHT + timedelta(days=night), time(21, 0)) + timedelta(seconds=2))
                barrier.wait(BARRIER_TIMEOUT)
                run_due(job, name)
                deliver_due(sender)
            db.engine.dispose()


def district_with_daily_news():
    """A class of the village school uses the lead school's lab every day, so the teacher has a
    booking tomorrow, the lead school's admin lent it yesterday and the coordinator saw it used."""
    lead, village = factories.school(name="中心小学"), factories.school(name="北村小学")
    lab = factories.resource(owner_school=lead)
    people = {
        "coordinator": factories.user(role=Role.COORDINATOR),
        "admin": factories.user(role=Role.SCHOOL_ADMIN, school=lead),
        "teacher": factories.user(school=village),
        "weekly": factories.user(school=village, digest_frequency=DigestFrequency.WEEKLY),
        "none": factories.user(school=village, digest_frequency=DigestFrequency.NONE),
    }
    for day in range(-1, NIGHTS + 1):
        start = local_to_utc(FIRST_NIGHT + timedelta(days=day), time(8, 50))
        for who in ("teacher", "weekly", "none"):
            add(lab, village, start, start + timedelta(minutes=40), people[who])
    return people


def test_three_schedulers_send_each_recipient_one_digest_a_night(app, backend, database_url, tmp_path):
    if backend != "postgresql":
        pytest.skip("the race needs PostgreSQL (set TEST_DATABASE_URL)")
    people = district_with_daily_news()
    processes = in_processes(scheduler_process, lambda n, barrier: (database_url, str(tmp_path), f"scheduler-{n}",
                                                                    barrier), PROCESSES, tmp_path)
    assert [process.exitcode for process in processes] == [0] * PROCESSES

    nights = [FIRST_NIGHT + timedelta(days=n) for n in range(NIGHTS)]
    expected = {(people[who].id, DigestKind.DAILY, night) for who in ("coordinator", "admin", "teacher")
                for night in nights}
    expected |= {(people["weekly"].id, DigestKind.WEEKLY, night) for night in nights if night.weekday() == 6}
    rows = db.session.execute(select(OutboxMessage.recipient_id, OutboxMessage.kind, OutboxMessage.digest_date,
                                     OutboxMessage.status)).all()
    assert sorted((r, k, d) for r, k, d, _ in rows) == sorted(expected)
    assert {status for *_, status in rows} == {OutboxStatus.SENT}
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == NIGHTS
    claimants = set(db.session.scalars(select(JobRun.claimed_by)))
    assert claimants <= {f"scheduler-{n}" for n in range(PROCESSES)}  # in practice all three win some nights

    handed_over = [line for log in tmp_path.glob("*.log") for line in log.read_text().split()]
    assert len(handed_over) == len(set(handed_over)) == len(expected)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == len(expected)
