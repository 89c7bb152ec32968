"""What the audit log viewer lists: filters read from query arguments, and the one SQL query.

Every list (page, CSV, API) is ``entries_query(viewer, filters)``: the entries ``viewer`` may see
(``permissions.visible_audit_entries_clause``), narrowed by the filters, newest first. Dates are
district-local days, both inclusive.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from booking.accounts.models import User
from booking.audit.models import AuditBooking, AuditEntry
from booking.extensions import db
from booking.i18n import local_to_utc
from booking.parsing import parse_day, parse_whole_number
from booking.permissions import (audit_entries_about_clause, audit_entries_of_resource_clause,
                                 managed_schools_clause, visible_audit_entries_clause)
from booking.resources.models import Resource
from booking.schools.models import School
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID

MAX_CHOICES = 500  # people and resources offered in the filter lists
ARGUMENTS = {"person": "person_id", "school": "school_id", "resource": "resource_id", "booking": "booking_id"}


@dataclass(frozen=True)
class AuditFilter:
    person_id: int | None = None
    school_id: int | None = None
    resource_id: int | None = None
    booking_id: int | None = None
    action: str = ""
    start: date | None = None
    end: date | None = None

    def query_args(self) -> dict:
        """The filters as query arguments (for links: page, CSV)."""
        names = {field: name for name, field in ARGUMENTS.items()}
        args = {names.get(key, key): value for key, value in asdict(self).items() if value not in (None, "")}
        for key in ("start", "end"):
            if key in args:
                args["from" if key == "start" else "to"] = args.pop(key).isoformat()
        return args


def filter_from_args(args) -> tuple[AuditFilter, dict]:
    """The page's filters from its query arguments, and a message per argument it cannot read (ignored)."""
    values, errors = {}, {}
    for name, field in ARGUMENTS.items():
        raw = (args.get(name) or "").strip()
        if raw:
            values[field] = parse_whole_number(raw, MAX_ID)
            if values[field] is None:
                errors[name] = _l("Choose from the list.")
    for name, field in (("from", "start"), ("to", "end")):
        raw = (args.get(name) or "").strip()
        if raw:
            values[field] = parse_day(raw)
            if values[field] is None:
                errors[name] = _l("Enter a date (YYYY-MM-DD).")
    values["action"] = (args.get("action") or "").strip()[:64]
    if values.get("start") and values.get("end") and values["end"] < values["start"]:
        errors["to"] = _l("The end date must not be before the start date.")
        values["end"] = None
    return AuditFilter(**values), errors


def entries_query(viewer, filters: AuditFilter) -> Select:
    """The entries ``viewer`` may see that match ``filters``, newest first (actor and bookings loaded)."""
    query = (select(AuditEntry).where(visible_audit_entries_clause(viewer))
             .options(selectinload(AuditEntry.actor), selectinload(AuditEntry.bookings))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if filters.person_id is not None:
        query = query.where(AuditEntry.actor_id == filters.person_id)
    if filters.school_id is not None:
        query = query.where(audit_entries_about_clause([filters.school_id]))
    if filters.resource_id is not None:
        query = query.where(audit_entries_of_resource_clause(filters.resource_id))
    if filters.booking_id is not None:
        query = query.where(AuditEntry.id.in_(select(AuditBooking.entry_id)
                                              .where(AuditBooking.booking_id == filters.booking_id)))
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.start is not None:
        query = query.where(AuditEntry.at >= local_to_utc(filters.start, time(0)))
    if filters.end is not None:
        query = query.where(AuditEntry.at < local_to_utc(filters.end + timedelta(days=1), time(0)))
    return query


@dataclass(frozen=True)
class Choices:
    """(value, name) pairs for the filter lists."""
    people: list[tuple[int, str]]
    schools: list[tuple[int, str]]
    resources: list[tuple[int, str]]
    actions: list[tuple[str, str]]


def filter_choices(viewer, action_name) -> Choices:
    """What the filter lists offer: people and resources that appear in entries ``viewer`` sees, the schools
    they manage, the actions they see (named by ``action_name``)."""
    visible = select(AuditEntry).where(visible_audit_entries_clause(viewer)).subquery()
    people = (select(User.id, User.display_name).where(User.id.in_(select(visible.c.actor_id)))
              .order_by(User.display_name, User.id).limit(MAX_CHOICES))
    resources = (select(Resource.id, Resource.name).where(Resource.id.in_(select(visible.c.resource_id)))
                 .order_by(Resource.name, Resource.id).limit(MAX_CHOICES))
    schools = select(School.id, School.name).where(managed_schools_clause(viewer)).order_by(School.name, School.id)
    actions = db.session.scalars(select(visible.c.action).distinct().order_by(visible.c.action))
    return Choices(people=[tuple(row) for row in db.session.execute(people)],
                   schools=[tuple(row) for row in db.session.execute(schools)],
                   resources=[tuple(row) for row in db.session.execute(resources)],
                   actions=[(action, action_name(action)) for action in actions])


def names_by_id(entries: list[AuditEntry]) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the schools and resources ``entries`` are about."""
    school_ids = {e.school_id for e in entries if e.school_id is not None}
    resource_ids = {e.resource_id for e in entries if e.resource_id is not None}
    schools = db.session.execute(select(School.id, School.name).where(School.id.in_(school_ids))).all()
    resources = db.session.execute(select(Resource.id, Resource.name).where(Resource.id.in_(resource_ids))).all()
    return dict(schools), dict(resources)
