"""Importing resources with the same rules as the resource form (``booking.resources.rules``)."""
from __future__ import annotations

from sqlalchemy import select

from booking.extensions import db
from booking.imports.csvfile import Column, Row
from booking.imports.rows import RowReader, row_errors
from booking.imports.services import ImportKind, Staged
from booking.labels import SUBJECTS, choices
from booking.resources.models import Category, ResourceKind, Sharing
from booking.resources.rules import DEFAULT_OPENING_HOURS, HOURS_FORMAT_HINT, ResourceInput, parse_opening_hours
from booking.resources.services import add_resource, check_resource, scope_errors
from booking.schools.models import School
from booking.texts import lazy_gettext as _l

COLUMNS = (
    Column("school_code", _l("Code of the school that owns the resource.")),
    Column("kind", _l("What kind of resource it is."), choices=tuple(choices(ResourceKind))),
    Column("category", _l("Must belong to the kind: equipment_kit for equipment, visiting_teacher for teachers."),
           choices=tuple(choices(Category))),
    Column("subject", _l("Required for labs and visiting teachers."), optional=True,
           choices=tuple(SUBJECTS.items())),
    Column("name", _l("The name people see, e.g. 物理实验室.")),
    Column("location", _l("Where it is, e.g. building and floor."), optional=True),
    Column("description", _l("Anything a teacher should know before booking."), optional=True),
    Column("capacity", _l("Students it holds, more than 0; required for facilities."), optional=True),
    Column("stock", _l("For equipment: how many identical items (at least 1). Blank or 1 for the rest."),
           optional=True),
    Column("sharing", _l("Blank means shared with the district."), optional=True, choices=tuple(choices(Sharing))),
    Column("approval_required", _l("Do bookings need approval? yes or no (是/否); blank means no."), optional=True),
    Column("min_duration_minutes", _l("Shortest booking in minutes (optional)."), optional=True),
    Column("max_duration_minutes", _l("Longest booking in minutes (optional, not below the shortest)."),
           optional=True),
    Column("max_advance_days", _l("How many days ahead it can be booked (optional, 0 or more)."), optional=True),
    Column("opening_hours", _l("%(format)s Blank means Monday to Friday 08:00–17:00.", format=HOURS_FORMAT_HINT),
           optional=True),
)

EXAMPLE = {
    "school_code": "XT01", "kind": "facility", "category": "lab", "subject": "physics", "name": "物理实验室",
    "location": "教学楼三楼", "description": "可容纳一个班，实验器材齐全", "capacity": "48", "stock": "",
    "sharing": "district", "approval_required": "是", "min_duration_minutes": "40", "max_duration_minutes": "120",
    "max_advance_days": "30", "opening_hours": "1-5 08:00-12:00,14:00-17:30",
}


def _resource_input(reader: RowReader, schools: dict[str, School]) -> ResourceInput:
    code = reader.text("school_code")
    school = schools.get(code)
    if code and school is None:
        reader.errors["school_code"] = _l("Unknown school code: %(code)s.", code=code)
    return ResourceInput(
        kind=reader.choice("kind", choices(ResourceKind)), category=reader.choice("category", choices(Category)),
        subject=reader.choice("subject", SUBJECTS.items()), name=reader.text("name"),
        owner_school_id=school.id if school else None, location=reader.text("location"),
        description=reader.text("description"), capacity=reader.integer("capacity"),
        stock=reader.integer("stock"), sharing=reader.choice("sharing", choices(Sharing)) or Sharing.DISTRICT.value,
        approval_required=reader.boolean("approval_required"),
        min_duration_minutes=reader.integer("min_duration_minutes"),
        max_duration_minutes=reader.integer("max_duration_minutes"),
        max_advance_days=reader.integer("max_advance_days"),
        opening_hours=reader.parsed("opening_hours", parse_opening_hours, list(DEFAULT_OPENING_HOURS)),
    )


def stage_resources(rows: list[Row], actor, context=None) -> Staged:
    staged = Staged()
    schools = {school.code: school for school in db.session.scalars(select(School))}
    accepted = []
    for row in rows:
        reader = RowReader(row)
        data = _resource_input(reader, schools)
        errors = row_errors(reader, {**scope_errors(actor, data), **check_resource(data)},
                            {"owner_school_id": "school_code"})
        staged.errors.extend(errors)
        if not errors:
            accepted.append(data)
    if staged.errors:
        return staged
    for data in accepted:
        resource, _values = add_resource(data)
        staged.keys.append(f"{resource.owner_school_id}:{resource.name}")
    return staged


KIND = ImportKind("resources", _l("Resources"), COLUMNS, EXAMPLE, stage_resources)
