"""The district's visit mandates per term, and the progress table: tied school × mandate →
delivered / planned / required, flagged when behind for the share of the term that has passed.

Counted: lessons of visiting teachers (resources of kind teacher) held at the tied school in
the term. Delivered = recorded as delivered; planned = still active and not yet recorded.
A mandate with subject "" counts lessons of its kind in any subject (training sessions).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import select

from booking.audit.services import record
from booking.bookings.errors import NotAllowed
from booking.bookings.models import ACTIVE_STATUSES, Booking, BookingOutcome, BookingStatus, LessonKind
from booking.bookings.calendar_queries import closed_times_by_school
from booking.bookings.rules import Interval
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc, local_today
from booking.labels import label
from booking.permissions import can_manage_district, district_schools_clause
from booking.resources.models import Resource, ResourceKind
from booking.schools.models import School, Stage, Term
from booking.parsing import parse_whole_number
from booking.schools.services import current_term
from booking.teachers.models import DEFAULT_MANDATES, Mandate
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

MAX_REQUIRED = 50
STATUS_LABELS = {"met": _l("Met"), "behind": _l("Behind schedule"), "on_track": _l("On track")}


@dataclass(frozen=True)
class MandateLine:
    lesson_kind: LessonKind
    subject: str  # "" = any subject
    required: int

    @property
    def key(self) -> str:
        return f"{self.lesson_kind.value}-{self.subject or 'any'}"


@dataclass(frozen=True)
class Cell:
    line: MandateLine
    delivered: int
    planned: int
    expected: int  # delivered lessons the share of the term passed calls for

    @property
    def status(self) -> str:
        """met (required reached), behind (fewer delivered than expected by now) or on_track."""
        if self.delivered >= self.line.required:
            return "met"
        return "behind" if self.delivered < self.expected else "on_track"

    @property
    def short_of_plan(self) -> bool:
        """Even with everything planned delivered, the mandate would not be met."""
        return self.delivered + self.planned < self.line.required


@dataclass(frozen=True)
class ProgressRow:
    school: School
    cells: list[Cell]

    @property
    def behind(self) -> bool:
        return any(cell.status == "behind" for cell in self.cells)


@dataclass(frozen=True)
class MandateProgress:
    term: Term
    lines: list[MandateLine]
    rows: list[ProgressRow]
    today: date
    elapsed: float  # share of the term's days passed, 0..1

    @property
    def behind_rows(self) -> list[ProgressRow]:
        return [row for row in self.rows if row.behind]


def line_label(line: MandateLine):
    """"Music: demonstration lessons", "Training sessions"."""
    if line.lesson_kind == LessonKind.TRAINING and not line.subject:
        return _l("Training sessions")
    kinds = {LessonKind.DEMONSTRATION: _l("demonstration lessons"), LessonKind.REGULAR: _l("regular lessons"),
             LessonKind.TRAINING: _l("training sessions")}
    if not line.subject:
        return kinds[line.lesson_kind]
    return _l("%(subject)s: %(kind)s", subject=label(line.subject), kind=kinds[line.lesson_kind])


def mandate_lines(term: Term) -> list[MandateLine]:
    """The term's mandates; the district defaults while the coordinator has set none."""
    rows = list(db.session.scalars(select(Mandate).where(Mandate.term_id == term.id)
                                   .order_by(Mandate.lesson_kind, Mandate.subject)))
    if not rows:
        return [MandateLine(kind, subject, required) for kind, subject, required in DEFAULT_MANDATES]
    return [MandateLine(row.lesson_kind, row.subject, row.required) for row in rows]


def save_mandates(actor, term: Term, required_by_key: dict[str, object]) -> list[MandateLine]:
    """Coordinators set how many lessons of each mandate a term requires (0 switches one off)."""
    if not can_manage_district(actor):
        raise NotAllowed()
    lines = mandate_lines(term)
    errors, chosen = {}, []
    for line in lines:
        value = parse_whole_number(required_by_key.get(line.key), MAX_REQUIRED)
        if value is None:
            errors[line.key] = _l("Enter a whole number from 0 to %(n)d.", n=MAX_REQUIRED)
        chosen.append(MandateLine(line.lesson_kind, line.subject, value or 0))
    if errors:
        raise ValidationFailed(errors)
    existing = {(row.lesson_kind, row.subject): row for row in db.session.scalars(
        select(Mandate).where(Mandate.term_id == term.id))}
    for line in chosen:
        row = existing.get((line.lesson_kind, line.subject)) or Mandate(term_id=term.id, lesson_kind=line.lesson_kind,
                                                                        subject=line.subject)
        row.required = line.required
        db.session.add(row)
    record(actor, "mandates.update", term, {line.key: line.required for line in chosen})
    db.session.flush()
    return chosen


def tied_schools(district_id: int | None = None) -> list[School]:
    """The schools the mandates are for: active schools tied to a lead school (kindergartens aside); of one
    district only when ``district_id`` is given."""
    return list(db.session.scalars(
        select(School).where(School.lead_school_id.is_not(None), School.active.is_(True),
                             School.stage != Stage.KINDERGARTEN, district_schools_clause(district_id))
        .order_by(School.lead_school_id, School.code)))


def _lesson_counts(term: Term) -> dict[tuple, list[int]]:
    """(school, kind, subject) → [delivered, planned] for the term's visiting-teacher lessons: two queries.

    A planned lesson at a school that is closed then (or while the teacher's school is closed: the rules
    refuse both) will not take place, so it is not counted; a delivered one was recorded as held."""
    start, end = local_to_utc(term.start_date, time(0)), local_to_utc(term.end_date + timedelta(days=1), time(0))
    delivered = (Booking.status == BookingStatus.CONFIRMED) & (Booking.outcome == BookingOutcome.USED)
    planned = Booking.status.in_(ACTIVE_STATUSES) & Booking.outcome.is_(None)
    rows = list(db.session.execute(
        select(Booking.school_id, Booking.lesson_kind, Booking.lesson_subject, Booking.starts_at, Booking.ends_at,
               Resource.owner_school_id, delivered, planned)
        .join(Resource, Resource.id == Booking.resource_id)
        .where(Resource.kind == ResourceKind.TEACHER, Booking.starts_at >= start, Booking.starts_at < end,
               Booking.lesson_kind.is_not(None), delivered | planned)))
    schools = {row[0] for row in rows} | {row[5] for row in rows}
    closed = closed_times_by_school(schools, term.start_date, term.end_date) if rows else {}
    zone = district_zone()
    counts: dict[tuple, list[int]] = {}
    for school_id, kind, subject, starts_at, ends_at, owner_id, was_delivered, is_planned in rows:
        value = counts.setdefault((school_id, kind, subject or ""), [0, 0])
        if was_delivered:
            value[0] += 1
        elif is_planned:
            interval = Interval(starts_at, ends_at)
            if all(closed[s].reason_at(interval, zone) is None for s in (school_id, owner_id)):
                value[1] += 1
    return counts


def elapsed_share(term: Term, today: date) -> float:
    days = (term.end_date - term.start_date).days + 1
    passed = (min(max(today, term.start_date - timedelta(days=1)), term.end_date) - term.start_date).days + 1
    return max(0.0, min(1.0, passed / days))


def _cell(line: MandateLine, school_id: int, counts: dict, share: float) -> Cell:
    matching = [value for (school, kind, subject), value in counts.items()
                if school == school_id and kind == line.lesson_kind and (not line.subject or subject == line.subject)]
    delivered, planned = sum(v[0] for v in matching), sum(v[1] for v in matching)
    return Cell(line, delivered, planned, math.floor(line.required * share + 1e-9))


def mandate_progress(term: Term, today: date | None = None, district_id: int | None = None) -> MandateProgress:
    """The progress table of ``term`` as of ``today`` (the district's date by default); the tied schools of
    ``district_id`` only when given (a district's report)."""
    today = today or local_today()
    lines, counts, share = mandate_lines(term), _lesson_counts(term), elapsed_share(term, today)
    rows = [ProgressRow(school, [_cell(line, school.id, counts, share) for line in lines])
            for school in tied_schools(district_id)]
    return MandateProgress(term, lines, rows, today, share)


def term_or_current(term_id: int | None) -> Term | None:
    """The term asked for, else the current (or next) one; None when there is none."""
    if term_id is not None:
        return db.session.get(Term, term_id)
    return current_term()
