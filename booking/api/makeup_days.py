"""Make-up teaching days (调休上课 / 补班): list (everyone); add, change and delete: whoever keeps the closures
of the same place (``permissions.can_manage_makeup_day``: county coordinators the county's, a district's
coordinator the district's, a school's managers the school's).

The rules live in ``booking.schools.makeup``; this module shapes. A make-up day is taught as the
weekday it follows: weekly series, opening hours and the free search treat it as that weekday.
"""
from __future__ import annotations

from flask import abort, g, jsonify, request
from sqlalchemy import select

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import DAY_RANGE_DESCRIPTION, date_param
from booking.api.core import ID, PAGE_PARAMS, declared_query_values, paginate
from booking.api.openapi import nullable, operation, schema
from booking.api.shapes import Shape, boolean, day, identifier, page_shape, paged, text, typed
from booking.api.params import IntParam
from booking.extensions import db
from booking.permissions import can_manage_makeup_day, visible_calendar_rows_clause
from booking.schools import makeup
from booking.schools.calendar import applies_to_school_clause, chosen_place
from booking.schools.models import MakeupDay

WEEKDAY = {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday … 6 = Sunday."}
MAKEUP_DAY = Shape("MakeupDay", {
    "id": identifier(),
    "school_id": identifier(nullable=True, description="One school's; null: every school of district_id."),
    "district_id": identifier(nullable=True, description="The district it is for (a school's: the school's); null "
                                                          "with school_id null: every school of the county."),
    "date": day("day"),
    "follows_weekday": typed(WEEKDAY, description="The weekday whose timetable the date follows (0 = Monday)."),
    "reason": text(),
    "imported": boolean(lambda makeup_day: makeup_day.source_uid is not None, description="Came from an .ics import."),
})
MAKEUP_DAY_PAGE = page_shape("MakeupDayPage", MAKEUP_DAY)
MAKEUP_DAY_BODY_SCHEMA = schema("MakeupDayRequest", {
    "type": "object",
    "required": ["date", "follows_weekday", "reason"],
    "additionalProperties": False,
    "properties": {
        "date": {"type": "string", "format": "date", "description": DAY_RANGE_DESCRIPTION},
        "follows_weekday": WEEKDAY,
        "reason": {"type": "string", "minLength": 1, "maxLength": MakeupDay.reason.type.length,
                   "examples": ["国庆节补班"]},
        "school_id": nullable({**ID, "description": "One school's make-up day; omitted or null: every school of "
                                                    "district_id."}),
        "district_id": nullable({**ID, "description": "With no school: the district it is for; omitted or null: the "
                                                      "whole county. With a school: must be the school's district."}),
    },
})
LIST_PARAMS = (
    date_param("from", "Only make-up days on or after this date."),
    date_param("to", "Only make-up days on or before this date."),
    IntParam("school", "Those that apply to this school: its own, its district's and the county's.", minimum=1),
) + PAGE_PARAMS


def _makeup_input(body: dict) -> makeup.MakeupDayInput:
    """The body, valid against MAKEUP_DAY_BODY_SCHEMA (checked before the view)."""
    return makeup.MakeupDayInput(body["date"], body["follows_weekday"], body["reason"], body.get("school_id"),
                                 body.get("district_id"))


def _allowed_input(body: dict) -> makeup.MakeupDayInput:
    """The body's input, when the user keeps the make-up days of the place it names (403 otherwise; an unknown
    school or district is the service's 422)."""
    data = _makeup_input(body)
    errors: dict = {}
    school, district = chosen_place(data.school_id, data.district_id, errors)  # the place alone, not the whole check
    if not errors and not can_manage_makeup_day(g.api_user, school and school.id, district and district.id):
        abort(403)
    return data


def _require_manager(day: MakeupDay) -> None:
    if not can_manage_makeup_day(g.api_user, day.school_id, day.district_id):
        abort(403)


@bp.get("/makeup-days")
@operation("Make-up teaching days (调休上课 / 补班)", response=MAKEUP_DAY_PAGE.ref, query=LIST_PARAMS,
           description="Dates taught like another weekday, by date: the county's, the user's district's and its "
                       "schools' (all for county coordinators). A make-up day is taught as `follows_weekday`: "
                       "weekly series of that weekday meet on it and that weekday's opening hours apply; a closure "
                       "on the same date still closes it.")
def makeup_days():
    values = declared_query_values()
    query = select(MakeupDay).where(visible_calendar_rows_clause(g.api_user, MakeupDay)).order_by(MakeupDay.day,
                                                                                                  MakeupDay.id)
    if values["from"] is not None:
        query = query.where(MakeupDay.day >= values["from"])
    if values["to"] is not None:
        query = query.where(MakeupDay.day <= values["to"])
    if values["school"] is not None:
        query = query.where(applies_to_school_clause(MakeupDay, values["school"]))
    items, total = paginate(query, values["limit"], values["offset"])
    return jsonify(paged(MAKEUP_DAY_PAGE, items, total, values))


@bp.post("/makeup-days")
@operation("Add a make-up teaching day", response=MAKEUP_DAY.ref, request_body=MAKEUP_DAY_BODY_SCHEMA,
           role=Role.COORDINATOR, status=201, errors=(403,),
           description="County coordinators for the county, a district's coordinator for the district, a school's "
                       "area coordinators for their schools. One per date and place: a second is a 422.")
def add_makeup_day():
    added = makeup.create_makeup_day(_allowed_input(request.get_json(silent=True)), g.api_user)
    return jsonify(MAKEUP_DAY.dump(added)), 201


@bp.put("/makeup-days/<id:makeup_id>")
@operation("Change a make-up teaching day", response=MAKEUP_DAY.ref, request_body=MAKEUP_DAY_BODY_SCHEMA,
           role=Role.COORDINATOR, errors=(403,),
           description="Whoever keeps the make-up day as it is and as it becomes, as on the page.")
def update_makeup_day(makeup_id: int):
    found = db.get_or_404(MakeupDay, makeup_id)
    _require_manager(found)
    saved = makeup.save_makeup_day(found, _allowed_input(request.get_json(silent=True)), g.api_user)
    return jsonify(MAKEUP_DAY.dump(saved))


@bp.delete("/makeup-days/<id:makeup_id>")
@operation("Delete a make-up teaching day", response=MAKEUP_DAY.ref, role=Role.COORDINATOR, errors=(403,),
           description="Whoever keeps it (as it is added). Bookings already made on the date stay.")
def delete_makeup_day(makeup_id: int):
    day = db.get_or_404(MakeupDay, makeup_id)
    _require_manager(day)
    shown = MAKEUP_DAY.dump(day)
    makeup.delete_makeup_day(day, g.api_user)
    return jsonify(shown)
