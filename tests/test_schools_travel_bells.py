"""Travel times and bell schedules: saved all or nothing, with errors that name the field."""
from datetime import time
from types import SimpleNamespace

import pytest

from booking.audit.models import AuditEntry
from booking.extensions import db
from booking.schools import services, travel
from booking.schools.models import BellPeriod, TravelTime
from booking.schools.rules import PeriodRow
from booking.validation import ValidationFailed
from tests import factories


def audit_actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_set_travel_times_adds_and_updates_pairs(app):
    a, b, c = factories.school(), factories.school(), factories.school()
    factories.travel(a, b, 10)
    changed = travel.set_travel_times({(b.id, a.id): "15", (a.id, c.id): 30, (b.id, c.id): "20"}, None)
    assert changed == 3
    assert travel.travel_minutes(a.id, b.id) == 15 and travel.travel_minutes(c.id, a.id) == 30
    assert audit_actions() == ["travel.update"]


def test_unchanged_travel_times_write_no_audit_entry(app):
    a, b = factories.school(), factories.school()
    factories.travel(a, b, 10)
    assert travel.set_travel_times({(a.id, b.id): "10"}, None) == 0
    assert audit_actions() == []


@pytest.mark.parametrize("bad", ["", None, "-5", "abc", "2.5", "601"])
def test_bad_travel_time_names_both_schools_and_saves_nothing(app, bad):
    a, b, c = factories.school(name="新天小学"), factories.school(name="李寨小学"), factories.school()
    with pytest.raises(ValidationFailed) as failed:
        travel.set_travel_times({(a.id, c.id): "12", (a.id, b.id): bad}, None)
    key = f"travel-{min(a.id, b.id)}-{max(a.id, b.id)}"
    assert set(failed.value.errors) == {key}
    message = str(failed.value.errors[key])
    assert "新天小学" in message and "李寨小学" in message
    assert db.session.scalar(db.select(db.func.count()).select_from(TravelTime)) == 0


def test_travel_time_to_itself_or_unknown_school_is_refused(app):
    a = factories.school()
    with pytest.raises(ValidationFailed) as failed:
        travel.set_travel_times({(a.id, a.id): "5", (a.id, 9999): "5"}, None)
    assert len(failed.value.errors) == 2


def test_school_pairs_upper_triangle_and_one_row():
    a, b, c = (SimpleNamespace(id=n, name=name) for n, name in enumerate("ABC", start=1))
    names = lambda pairs: [(x.name, y.name) for x, y in pairs]  # noqa: E731
    assert names(travel.school_pairs([a, b, c])) == [("A", "B"), ("A", "C"), ("B", "C")]
    assert names(travel.school_pairs([a, b, c], around=b)) == [("B", "A"), ("B", "C")]


def test_replace_bell_schedule(app):
    school = factories.school()  # six default periods
    services.replace_bell_schedule(school, [PeriodRow("1", "07:50", "08:30"), PeriodRow("2", "08:40", "09:20")], None)
    db.session.expire_all()
    assert [(p.number, p.start_time, p.end_time) for p in school.bell_periods] == [
        (1, time(7, 50), time(8, 30)), (2, time(8, 40), time(9, 20))]
    assert audit_actions() == ["bells.replace"]


@pytest.mark.parametrize("bad_rows, field", [
    ([("1", "08:40", "08:00")], "periods-0-end"),
    ([("1", "08:00", "08:45"), ("2", "08:40", "09:20")], "periods-0-end"),
    ([("1", "08:00", "08:40"), ("3", "08:50", "09:30")], "periods-1-number"),
    ([], "periods"),
])
def test_bad_bell_schedule_changes_nothing(app, bad_rows, field):
    school = factories.school()
    with pytest.raises(ValidationFailed) as failed:
        services.replace_bell_schedule(school, [PeriodRow(*r) for r in bad_rows], None)
    assert field in failed.value.errors
    db.session.rollback()
    assert len(db.session.scalars(db.select(BellPeriod).where(BellPeriod.school_id == school.id)).all()) == 6


def test_period_rows_copy_one_schedule_to_another_school(app):
    source, target = factories.school(), factories.school(bells=False)
    services.replace_bell_schedule(target, services.period_rows(source), None)
    assert [(p.number, p.start_time) for p in target.bell_periods] == [
        (p.number, p.start_time) for p in source.bell_periods]
