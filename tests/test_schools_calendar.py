"""Terms and closures: date ranges, overlaps, district-wide or one school, and the audit trail."""
from datetime import date

import pytest

from booking import clock
from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.bookings import closures
from booking.schools import calendar
from booking.schools.calendar import ClosureInput, TermInput
from booking.schools.models import Closure, Term
from booking.validation import ValidationFailed
from tests import factories


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_create_and_update_term(app):
    term = calendar.create_term(TermInput("2026—2027学年第一学期", "2026-09-01", "2027-01-22"), None)
    assert (term.start_date, term.end_date) == (date(2026, 9, 1), date(2027, 1, 22))
    calendar.update_term(term, TermInput("第一学期", "2026-09-01", "2027-01-20"), None)
    assert term.name == "第一学期" and term.end_date == date(2027, 1, 20)
    actions = list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["term.create", "term.update"]


def test_term_ending_before_it_starts_is_refused(app):
    with pytest.raises(ValidationFailed) as failed:
        calendar.create_term(TermInput("第一学期", "2026-09-01", "2026-08-31"), None)
    assert set(failed.value.errors) == {"end_date"}
    assert count(Term) == 0


def test_term_needs_a_name_and_readable_dates(app):
    with pytest.raises(ValidationFailed) as failed:
        calendar.create_term(TermInput(" ", "tomorrow", ""), None)
    assert set(failed.value.errors) == {"name", "start_date", "end_date"}


def test_terms_may_not_overlap_but_an_edit_may_keep_its_own_dates(app):
    first = factories.term(name="第一学期", start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    with pytest.raises(ValidationFailed) as failed:
        calendar.create_term(TermInput("第二学期", "2027-01-22", "2027-07-10"), None)
    assert "第一学期" in str(failed.value.errors["start_date"])
    calendar.create_term(TermInput("第二学期", "2027-02-20", "2027-07-10"), None)
    calendar.update_term(first, TermInput("第一学期", "2026-08-31", "2027-01-22"), None)
    assert count(Term) == 2


def test_closure_for_one_school_and_district_wide(app):
    school = factories.school()
    one = closures.create_closure(ClosureInput("2026-10-15", "2026-10-16", "运动会", str(school.id)), None).closure
    everywhere = closures.create_closure(ClosureInput("2026-10-01", "2026-10-07", "国庆节", ""), None).closure
    assert one.school is school and everywhere.school is None
    closures.update_closure(one, ClosureInput("2026-10-15", "2026-10-15", "运动会", None), None)
    assert one.school_id is None and one.end_date == date(2026, 10, 15)


@pytest.mark.parametrize("data, fields", [
    (ClosureInput("2026-10-07", "2026-10-01", "国庆节"), {"end_date"}),
    (ClosureInput("2026-10-01", "2026-10-07", "  "), {"reason"}),
    (ClosureInput("2026-10-01", "2026-10-07", "国庆节", "9999"), {"school_id"}),
    (ClosureInput("2026-10-01", "2026-10-07", "国庆节", "abc"), {"school_id"}),
    (ClosureInput("", "x", "国庆节"), {"start_date", "end_date"}),
])
def test_bad_closure_is_refused_and_nothing_saved(app, data, fields):
    with pytest.raises(ValidationFailed) as failed:
        closures.create_closure(data, None)
    assert set(failed.value.errors) == fields
    assert count(Closure) == 0


def test_delete_closure_is_audited(app):
    closure = factories.closure()
    closure_id = closure.id
    calendar.delete_closure(closure, None)
    assert count(Closure) == 0
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "closure.delete"))
    assert entry.entity_id == str(closure_id) and entry.details["reason"] == "国庆节"


def test_closures_upcoming_first_and_filtered_by_school(app):
    clock.freeze(clock.utcnow().replace(year=2026, month=10, day=10, hour=4))
    school, other = factories.school(), factories.school()
    past = factories.closure(start_date=date(2026, 10, 1), end_date=date(2026, 10, 7))
    later = factories.closure(start_date=date(2026, 12, 1), end_date=date(2026, 12, 1), school_id=school.id)
    sooner = factories.closure(start_date=date(2026, 10, 9), end_date=date(2026, 10, 11))
    elsewhere = factories.closure(start_date=date(2026, 11, 1), end_date=date(2026, 11, 1), school_id=other.id)
    assert calendar.list_closures() == ([sooner, elsewhere, later], [past])
    assert calendar.list_closures(school.id) == ([sooner, later], [past])
