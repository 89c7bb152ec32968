"""A round is committed once: two coordinators pressing 确认分配 at the same moment (both read it open).

Each commit is held after its preview until the other has previewed too (or half a second, when the database
makes the other wait). With served requests the second is refused by the booking guarantee (the first's series
hold the slots); with none served, by the round's compare-and-set (its version counter).
"""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from booking import clock
from booking.accounts.models import Role, User
from booking.allocation import services
from booking.allocation.models import AllocationRound, RoundStatus
from booking.bookings.errors import BookingRefused
from booking.bookings.models import BookingSeries
from booking.extensions import db
from booking.validation import ValidationFailed
from tests import factories
from tests.race_support import in_threads

DEADLINE = datetime(2026, 8, 25, 1, 0, tzinfo=timezone.utc)


def _then_wait_for_the_other(real, first_call_only: bool = False):
    """``real`` that, once it has read, waits (half a second at most) until the other thread has read too."""
    barrier, waited = threading.Barrier(2), threading.local()

    def held(*args):
        found = real(*args)
        if not (first_call_only and getattr(waited, "done", False)):
            waited.done = True
            try:
                barrier.wait(timeout=0.5)
            except threading.BrokenBarrierError:
                pass
        return found
    return held


def _commit_twice(app, coordinator_ids, round_id) -> list[str]:
    real_preview = services.preview_round
    outcomes = [None, None]

    def run(index: int) -> None:
        with app.app_context():
            clock.freeze(DEADLINE + timedelta(hours=1))
            try:
                services.commit_round(db.session.get(User, coordinator_ids[index]),
                                      db.session.get(AllocationRound, round_id))
                db.session.commit()
                outcomes[index] = "committed"
            except BookingRefused:
                outcomes[index] = "refused"
            except StaleDataError:
                outcomes[index] = "conflict"
            except ValidationFailed:
                outcomes[index] = "already"
            finally:
                db.session.rollback()
                db.session.remove()

    services.preview_round = _then_wait_for_the_other(real_preview)
    try:
        in_threads(run, 2)
    finally:
        services.preview_round = real_preview
    return outcomes


@pytest.fixture
def round_with(app):
    def make(period: int):
        clock.freeze(datetime(2026, 8, 20, tzinfo=timezone.utc))
        lead = factories.school(enrollment=900)
        village = factories.school(enrollment=80, is_weak=True)
        term = factories.term(start_date=date(2026, 9, 1), end_date=date(2026, 9, 30))
        lab = factories.resource(owner_school=lead)
        coordinators = [factories.user(role=Role.COORDINATOR), factories.user(role=Role.COORDINATOR)]
        teacher = factories.user(school=village)
        round_ = services.open_round(coordinators[0], term.id, "秋季", DEADLINE)
        services.submit_request(teacher, round_, services.RequestInput("实验", [[0, period]], 3, lab.id))
        db.session.commit()
        return [c.id for c in coordinators], round_.id
    return make


def test_two_commits_at_once_make_one_set_of_series(app, round_with):
    coordinator_ids, round_id = round_with(3)
    outcomes = _commit_twice(app, coordinator_ids, round_id)
    assert sorted(outcomes) == ["committed", "refused"]
    assert db.session.scalar(select(func.count()).select_from(BookingSeries)) == 1
    assert db.session.get(AllocationRound, round_id).status == RoundStatus.COMMITTED


def test_with_nothing_to_book_the_round_version_decides(app, round_with):
    coordinator_ids, round_id = round_with(7)  # no 第7节: nothing served, no booking lock taken
    outcomes = _commit_twice(app, coordinator_ids, round_id)
    assert sorted(outcomes) == ["committed", "conflict"]
    assert db.session.scalar(select(func.count()).select_from(BookingSeries)) == 0


def test_two_coordinators_opening_a_round_of_one_term_at_once_open_one(app):
    """Both read "no open round of this term" (each waits for the other's read); the database's partial unique
    index (uq_allocation_rounds_open_term) refuses the second insert, which is said as the form's error."""
    clock.freeze(datetime(2026, 8, 20, tzinfo=timezone.utc))
    term = factories.term(start_date=date(2026, 9, 1), end_date=date(2026, 9, 30))
    coordinator_ids = [factories.user(role=Role.COORDINATOR).id for _ in range(2)]
    term_id = term.id
    db.session.commit()  # expires ``term``: the threads use the id, never the test's session
    real_check = services._open_round_of
    outcomes = [None, None]

    def run(index: int) -> None:
        with app.app_context():
            clock.freeze(datetime(2026, 8, 20, tzinfo=timezone.utc))
            try:
                services.open_round(db.session.get(User, coordinator_ids[index]), term_id, f"秋季{index}", DEADLINE)
                db.session.commit()
                outcomes[index] = "opened"
            except ValidationFailed as failed:
                outcomes[index] = str(failed.errors["term_id"])
            finally:
                db.session.rollback()
                db.session.remove()

    services._open_round_of = _then_wait_for_the_other(real_check, first_call_only=True)
    try:
        in_threads(run, 2)
    finally:
        services._open_round_of = real_check
    assert outcomes.count("opened") == 1, outcomes
    opened = outcomes.index("opened")
    assert f"秋季{opened}" in outcomes[1 - opened]  # the refusal names the round that is open
    assert db.session.scalar(select(func.count()).select_from(AllocationRound)) == 1
