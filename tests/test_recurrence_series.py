"""Recurring term bookings: preview, all-or-nothing, skipping, one query, cancel and change by scope."""
from datetime import date, time, timedelta

import pytest

from booking import clock
from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.errors import BookingRefused
from booking.bookings.models import Booking, BookingSeries, BookingStatus, SeriesStatus
from booking.bookings.planning import preview_booking
from booking.bookings.services import cancel_booking, create_booking
from booking.extensions import db
from booking.validation import ValidationFailed
from tests import factories
from tests.booking_support import ZONE, count_statements, freeze, local, reads_of, single

# Thursdays from 3 September to 15 October 2026: 7 dates, 1 October is National Day.
SEVEN_THURSDAYS = "FREQ=WEEKLY;BYDAY=TH;UNTIL=20261015"


@pytest.fixture
def setting(app):
    freeze()
    teacher = factories.user()
    lab = factories.resource(name="科学实验室")
    factories.closure(start_date=date(2026, 10, 1), end_date=date(2026, 10, 7), reason="国庆节")
    return teacher, lab


def local_day(instant) -> date:
    return instant.astimezone(ZONE).date()


def test_preview_lists_every_date_with_its_state(setting):
    teacher, lab = setting
    other = factories.user()
    create_booking(other, single(lab, month=9, day=17))
    preview = preview_booking(teacher, single(lab, rrule=SEVEN_THURSDAYS))
    states = {local_day(c.interval.start).isoformat(): c.state for c in preview.checks}
    assert states == {"2026-09-03": "free", "2026-09-10": "free", "2026-09-17": "conflict", "2026-09-24": "free",
                      "2026-10-01": "closed", "2026-10-08": "free", "2026-10-15": "free"}
    clash = preview.in_state("conflict")[0].refusals[0]
    assert clash.kind == "resource_overlap" and other.school.name in str(clash.message)


def test_a_clash_fails_the_whole_series_and_saves_nothing(setting):
    teacher, lab = setting
    create_booking(factories.user(), single(lab, month=9, day=17))
    db.session.commit()  # an earlier request
    with pytest.raises(BookingRefused) as refused:
        create_booking(teacher, single(lab, rrule=SEVEN_THURSDAYS))
    assert [r.kind for r in refused.value.refusals] == ["resource_overlap"]  # the holiday is not a conflict
    assert db.session.query(BookingSeries).count() == 0 and db.session.query(Booking).count() == 1


def test_skip_conflicts_books_the_free_dates_and_skips_holidays(setting):
    teacher, lab = setting
    create_booking(factories.user(), single(lab, month=9, day=17))
    created = create_booking(teacher, single(lab, rrule=SEVEN_THURSDAYS, skip_conflicts=True))
    assert [local_day(b.starts_at).day for b in created.bookings] == [3, 10, 24, 8, 15]
    assert sorted(c.state for c in created.skipped) == ["closed", "conflict"]
    series = created.series
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TH;UNTIL=20261015T015000Z"
    assert all(b.original_start == b.starts_at and b.series_id == series.id for b in created.bookings)


def test_a_series_runs_to_the_end_of_the_term(setting):
    teacher, lab = setting
    term = factories.term(start_date=date(2026, 9, 1), end_date=date(2026, 9, 30))
    created = create_booking(teacher, single(lab, rrule="FREQ=WEEKLY;BYDAY=TH", term_id=term.id))
    assert len(created.bookings) == 4 and created.series.term_id == term.id


def test_conflict_checking_of_a_series_is_one_query_whatever_its_length(setting):
    teacher, lab = setting
    counts = []
    for rule in ("FREQ=WEEKLY;BYDAY=TH;COUNT=5", "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=20"):
        db.session.expire_all()
        with count_statements() as statements:
            preview_booking(teacher, single(lab, rrule=rule))
        counts.append(len(statements))
        assert len(reads_of(statements, "bookings")) == 1
    assert counts[0] == counts[1]


def test_the_cap_is_refused_as_invalid_input(setting):
    teacher, lab = setting
    for rule in ("FREQ=DAILY;COUNT=201", "FREQ=WEEKLY;BYDAY=TH;UNTIL=20280101", "FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=ZZ"):
        with pytest.raises(ValidationFailed) as caught:
            create_booking(teacher, single(lab, rrule=rule))
        assert "recurrence" in caught.value.errors
    assert db.session.query(Booking).count() == 0


def _series(setting):
    teacher, lab = setting
    return teacher, lab, create_booking(teacher, single(lab, rrule=SEVEN_THURSDAYS)).bookings


def test_cancel_one_date_keeps_the_others(setting):
    teacher, _, rows = _series(setting)
    cancel_booking(teacher, rows[1], "occurrence", "春游")
    assert [r.status for r in rows] == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED] + [BookingStatus.CONFIRMED] * 4
    assert rows[1].is_exception and rows[1].cancel_reason == "春游"


def test_cancel_this_and_following_ends_the_rule_before_it(setting):
    teacher, _, rows = _series(setting)
    cancel_booking(teacher, rows[3], "following")
    assert [r.status.value for r in rows] == ["confirmed"] * 3 + ["cancelled"] * 3
    series = rows[0].series
    assert series.until < rows[3].original_start and series.status == SeriesStatus.ACTIVE
    assert "UNTIL=20260924T014959Z" in series.rrule


def test_cancel_the_series_after_some_dates_have_passed(setting):
    teacher, _, rows = _series(setting)
    clock.freeze(local(9, 11, 8))
    cancel_booking(teacher, rows[2], "series")
    assert [r.status.value for r in rows] == ["confirmed"] * 2 + ["cancelled"] * 4
    assert db.session.query(Booking).count() == 6  # nothing deleted


def test_cancel_the_whole_series_before_it_starts(setting):
    teacher, _, rows = _series(setting)
    cancel_booking(teacher, rows[0], "series", "课程调整")
    assert {r.status for r in rows} == {BookingStatus.CANCELLED}
    assert rows[0].series.status == SeriesStatus.CANCELLED


def test_moving_one_date_makes_an_exception_that_survives_a_series_edit(setting):
    teacher, lab, rows = _series(setting)
    change_booking(teacher, rows[1], BookingChanges(day=date(2026, 9, 11), start_time=time(14), end_time=time(14, 40)))
    assert rows[1].is_exception and rows[1].starts_at == local(9, 11, 14)
    change_booking(teacher, rows[0], BookingChanges(start_time=time(10, 40), end_time=time(11, 20), title="新课题"),
                   scope="series")
    assert rows[1].starts_at == local(9, 11, 14) and rows[1].title == "科学实验"  # the exception is untouched
    assert [r.starts_at for r in rows if r is not rows[1]] == [
        local(9, d, 10, 40) for d in (3, 17, 24)] + [local(10, d, 10, 40) for d in (8, 15)]
    assert all(r.title == "新课题" and r.sequence >= 1 for r in rows if r is not rows[1])
    assert rows[0].series.dtstart == local(9, 3, 10, 40) and rows[1].original_start == local(9, 10, 10, 40)


def test_changing_the_following_dates_splits_the_series(setting):
    teacher, _, rows = _series(setting)
    change_booking(teacher, rows[3], BookingChanges(start_time=time(14), end_time=time(14, 40)), scope="following")
    first, second = rows[0].series, rows[3].series
    assert first is not second and first.until < rows[3].starts_at
    assert [r.series for r in rows] == [first] * 3 + [second] * 3
    assert second.dtstart == local(9, 24, 14) and second.duration_minutes == 40
    assert [r.starts_at.astimezone(ZONE).time() for r in rows] == [time(9, 50)] * 3 + [time(14)] * 3


def test_a_series_change_that_clashes_changes_nothing(setting):
    teacher, lab, rows = _series(setting)
    create_booking(factories.user(), single(lab, start=local(9, 24, 14), end=local(9, 24, 14, 40)))
    with pytest.raises(BookingRefused):
        change_booking(teacher, rows[0], BookingChanges(start_time=time(14), end_time=time(14, 40)), scope="series")
    db.session.expire_all()
    assert all(r.starts_at.astimezone(ZONE).time() == time(9, 50) for r in rows)


def test_only_a_single_date_can_move_to_another_day(setting):
    teacher, _, rows = _series(setting)
    with pytest.raises(ValidationFailed) as caught:
        change_booking(teacher, rows[0], BookingChanges(day=date(2026, 9, 4)), scope="series")
    assert "day" in caught.value.errors


def test_past_dates_cannot_be_cancelled(setting):
    teacher, _, rows = _series(setting)
    clock.freeze(rows[0].ends_at + timedelta(minutes=1))
    with pytest.raises(ValidationFailed):
        cancel_booking(teacher, rows[0])
