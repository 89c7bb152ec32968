"""Importing schools with the schools' own checks (``check_school_input``).

A row may tie a school to a lead school defined on an earlier row of the same file: each good
row is flushed into the still-open transaction, so the checks of later rows find it; one bad
row and the whole transaction is rolled back.
"""
from __future__ import annotations

from booking.extensions import db
from booking.imports.csvfile import Column, Row
from booking.imports.rows import RowReader, row_errors
from booking.imports.services import ImportKind, Staged
from booking.labels import choices
from booking.schools.models import School, Stage
from booking.schools.services import (
    SchoolInput, apply_school_input, area_scope_errors, check_school_input, district_for_writes,
)
from booking.texts import lazy_gettext as _l

COLUMNS = (
    Column("code", _l("A short unique code, letters and digits, e.g. XT01; other imports refer to it.")),
    Column("name", _l("The school's full name.")),
    Column("stage", _l("The school's stage."), choices=tuple(choices(Stage))),
    Column("enrollment", _l("Students enrolled: a whole number, 0 or more.")),
    Column("is_lead", _l("Is it a lead school? yes or no (是/否); blank means no."), optional=True),
    Column("is_weak", _l("Is it a weak school the district supports? yes or no (是/否); blank means no."),
           optional=True),
    Column("lead_school_code", _l("Code of its lead school: one already saved or on an earlier row of this file."),
           optional=True),
    Column("area", _l("Area of the district, e.g. 上片."), optional=True),
    Column("address", _l("Address."), optional=True),
)

EXAMPLE = {"code": "XT05", "name": "新天第五小学", "stage": "primary", "enrollment": "186", "is_lead": "否",
           "is_weak": "是", "lead_school_code": "XT01", "area": "上片", "address": "新天镇五里村"}


def _school_input(reader: RowReader) -> SchoolInput:
    return SchoolInput(
        code=reader.text("code"), name=reader.text("name"), stage=reader.choice("stage", choices(Stage)),
        enrollment=reader.text("enrollment"), is_lead=reader.boolean("is_lead"), is_weak=reader.boolean("is_weak"),
        lead_school_code=reader.text("lead_school_code") or None, area=reader.text("area"),
        address=reader.text("address"),
    )


def stage_schools(rows: list[Row], actor, context=None) -> Staged:
    staged = Staged()
    district_id = district_for_writes().id
    first_row_of_code: dict[str, int] = {}
    for row in rows:
        reader = RowReader(row)
        data = _school_input(reader)
        field_errors, lead = check_school_input(data)
        field_errors = {**area_scope_errors(actor, data), **field_errors}
        code = data.code.strip()
        if code in first_row_of_code:
            field_errors["code"] = _l("This code is already on row %(row)d of the file.", row=first_row_of_code[code])
        first_row_of_code.setdefault(code, row.number)
        errors = row_errors(reader, field_errors)
        staged.errors.extend(errors)
        if errors:
            continue
        school = School(district_id=district_id)
        apply_school_input(school, data, lead)
        db.session.add(school)
        db.session.flush()  # later rows may name it as their lead school
        staged.keys.append(school.code)
    return staged


KIND = ImportKind("schools", _l("Schools"), COLUMNS, EXAMPLE, stage_schools)
