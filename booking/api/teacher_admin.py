"""Visiting teachers' profiles and home-school timetables through the API, as on the profile pages.

The same functions as the pages (``booking.teachers.profiles``): ``save_profile`` (checks the accounts,
schools, travel times and that new availability breaks no booked lesson, under the resource's lock),
``add_busy_time``, ``import_timetable``, ``remove_busy_time``; who may: ``can_manage_teacher_profile``
(coordinators, and the admins of the teacher's home school). A profile the caller may not manage answers
404, as on the pages. Availability is written like a resource's opening hours (``OpeningHours``).
"""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.core import ID, declared_query_values
from booking.api.openapi import nullable, operation, schema
from booking.api.params import IntParam, json_whole_number
from booking.api.resources import OPENING_HOURS, OPENING_HOURS_SCHEMA
from booking.api.shapes import CLOCK_TIME, Shape, identifier, many
from booking.api.teachers import BUSY_TIME, TEACHER
from booking.api.uploads import Upload
from booking.bookings.errors import NotAllowed
from booking.errors import json_error
from booking.extensions import db
from booking.labels import SUBJECTS
from booking.permissions import can_manage_teacher_profile
from booking.teachers import profiles as service
from booking.teachers.models import TeacherBusyTime, TeacherProfile
from booking.teachers.rules import MAX_WEEKLY_CAP, NOTE_MAX, BusyInput, ProfileInput
from booking.validation import ValidationFailed

TEACHER_PROFILE = TEACHER.extended("TeacherProfile", {
    "id": identifier(),
    "resource_id": identifier(description="The bookable resource classes book the teacher by."),
    "availability": many(OPENING_HOURS, "resource.opening_hours",
                         description="When the teacher may be booked: the resource's opening hours."),
})
PROFILE_LIST = Shape("TeacherProfileList", {"items": many(TEACHER_PROFILE)})
BUSY_LIST = Shape("TeacherBusyTimeList", {"items": many(BUSY_TIME)})
DATE = {"type": ["string", "null"], "format": "date"}
PROFILE_BODY = schema("TeacherProfileRequest", {
    "type": "object", "additionalProperties": False,
    "required": ["user_id", "home_school_id", "weekly_cap", "subjects", "served_school_ids", "availability"],
    "properties": {
        "user_id": {**ID, "description": "The teacher's account: a teacher or admin of a school you manage."},
        "home_school_id": {**ID, "description": "The lead school that sends the teacher; one you manage."},
        "weekly_cap": {"type": "integer", "minimum": 1, "maximum": MAX_WEEKLY_CAP,
                       "description": "Lessons per week (Monday to Sunday), at most."},
        "subjects": {"type": "array", "minItems": 1, "maxItems": len(SUBJECTS),
                     "items": {"type": "string", "enum": list(SUBJECTS)}},
        "served_school_ids": {"type": "array", "minItems": 1, "maxItems": 500, "items": ID,
                              "description": "Travel times must be known between all of them and the home school."},
        "availability": {"type": "array", "minItems": 1, "maxItems": 70, "items": OPENING_HOURS_SCHEMA,
                         "description": "When the teacher may be booked; a change may not leave booked lessons "
                                        "outside it."},
        "resource_id": {**nullable(ID), "description": "A visiting-teacher resource without a profile to link; "
                                                       "null or absent: a new one named after the teacher (or, "
                                                       "for a change, the current one)."},
    },
})
BUSY_BODY = schema("TeacherBusyTimeRequest", {
    "type": "object", "additionalProperties": False, "required": ["weekday", "start", "end"],
    "properties": {
        "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday."},
        "start": CLOCK_TIME, "end": CLOCK_TIME,
        "term_id": {**nullable(ID), "description": "Only within this term; null or absent: every week."},
        "first_date": DATE, "last_date": DATE,
        "note": {"type": "string", "maxLength": NOTE_MAX, "description": "What, e.g. the class taught."},
    },
})
TIMETABLE = Upload(("text/plain",), 'The timetable, one commitment a line: days, times, what, e.g. '
                                    '"1-5 08:00-08:40,08:50-09:30 语文早读" (1 = Monday).')
TERM = IntParam("term_id", "The commitments apply within this term; absent: every week.", minimum=1)
BUSY_FIELDS = {"starts": "start", "ends": "end"}  # the service's (the page's) names → the body's
NOT_FOUND = "No visiting-teacher profile has this id, or it is not one you manage."


def _profile(profile_id: int) -> TeacherProfile:
    profile = db.session.get(TeacherProfile, profile_id)
    if profile is None or not can_manage_teacher_profile(g.api_user, profile):
        abort(json_error(404, NOT_FOUND))
    return profile


def _profile_input(body: dict) -> ProfileInput:
    """The body (valid against PROFILE_BODY) as the page's form hands it to the service."""
    number = json_whole_number  # JSON Schema's integer includes 12.0
    availability = "; ".join(f"{number(w['weekday']) + 1} {w['opens']}-{w['closes']}" for w in body["availability"])
    resource_id = body.get("resource_id")
    return ProfileInput(user_id=number(body["user_id"]), home_school_id=number(body["home_school_id"]),
                        weekly_cap=number(body["weekly_cap"]), subjects=list(body["subjects"]),
                        served_school_ids=[number(value) for value in body["served_school_ids"]],
                        availability=availability, resource_id=None if resource_id is None else number(resource_id))


def _saved(profile: TeacherProfile | None):
    try:
        return service.save_profile(_profile_input(request.get_json(silent=True)), g.api_user, profile)
    except NotAllowed:
        abort(json_error(404, NOT_FOUND))


@bp.get("/teacher-profiles")
@operation("The visiting teachers' profiles you manage", response=PROFILE_LIST.ref, role=Role.SCHOOL_ADMIN,
           description="Coordinators: every profile in their scope; a school admin: their school's teachers.")
def teacher_profiles():
    return jsonify(PROFILE_LIST.dump({"items": service.profiles_for(g.api_user)}))


@bp.get("/teacher-profiles/<id:profile_id>")
@operation("One visiting teacher's profile and home-school timetable", response=TEACHER_PROFILE.ref,
           role=Role.SCHOOL_ADMIN)
def teacher_profile(profile_id: int):
    return jsonify(TEACHER_PROFILE.dump(_profile(profile_id)))


@bp.post("/teacher-profiles")
@operation("Make a teacher a visiting teacher: a profile and its bookable resource", response=TEACHER_PROFILE.ref,
           request_body=PROFILE_BODY, role=Role.SCHOOL_ADMIN, status=201,
           description="Coordinators and the home school's admins, for teachers of schools they manage. 422 names "
                       "the field: an account that has a profile already, missing travel times, a resource of "
                       "another school. Audited (`teacher.create`).")
def create_teacher_profile():
    return jsonify(TEACHER_PROFILE.dump(_saved(None))), 201


@bp.put("/teacher-profiles/<id:profile_id>")
@operation("Change a visiting teacher's profile", response=TEACHER_PROFILE.ref, request_body=PROFILE_BODY,
           role=Role.SCHOOL_ADMIN, description="Every field as on the profile page. New availability that would "
                                               "leave booked lessons outside it is refused (422 `availability`, "
                                               "nothing saved). Audited (`teacher.update`).")
def update_teacher_profile(profile_id: int):
    return jsonify(TEACHER_PROFILE.dump(_saved(_profile(profile_id))))


@bp.post("/teacher-profiles/<id:profile_id>/busy-times")
@operation("Add a home-school commitment (the teacher cannot visit then)", response=BUSY_TIME.ref,
           request_body=BUSY_BODY, role=Role.SCHOOL_ADMIN, status=201,
           description="Weekly, within a term and/or between dates when given. Audited (`teacher.busy.add`).")
def add_busy_time(profile_id: int):
    profile = _profile(profile_id)
    body = request.get_json(silent=True)
    term_id = body.get("term_id")
    data = BusyInput(json_whole_number(body["weekday"]), body["start"], body["end"],
                     None if term_id is None else json_whole_number(term_id), body.get("first_date"),
                     body.get("last_date"), body.get("note") or "")
    try:
        row = service.add_busy_time(g.api_user, profile, data)
    except ValidationFailed as failed:  # the service names the form's fields; the API's are start and end
        raise ValidationFailed({BUSY_FIELDS.get(name, name): message for name, message in failed.errors.items()}) \
            from None
    return jsonify(BUSY_TIME.dump(row)), 201


@bp.post("/teacher-profiles/<id:profile_id>/busy-times/import")
@operation("Import a home-school timetable: many commitments at once", response=BUSY_LIST.ref, query=(TERM,),
           upload=TIMETABLE, role=Role.SCHOOL_ADMIN, status=201,
           description="The lines the profile page's timetable box takes, all added or none (422 `timetable` "
                       "naming the line). Audited (`teacher.busy.import`).")
def import_busy_times(profile_id: int):
    profile = _profile(profile_id)
    values = declared_query_values()
    uploaded = TIMETABLE.read(request)
    try:
        text = uploaded.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"file": "Send the timetable as UTF-8 text."}) from None
    rows = service.import_timetable(g.api_user, profile, text, values["term_id"])
    return jsonify(BUSY_LIST.dump({"items": rows})), 201


@bp.delete("/teacher-profiles/<id:profile_id>/busy-times/<id:busy_id>")
@operation("Remove a home-school commitment", response=BUSY_TIME.ref, role=Role.SCHOOL_ADMIN,
           description="The teacher is then free for visits at that time; nothing booked changes. Audited "
                       "(`teacher.busy.remove`).")
def delete_busy_time(profile_id: int, busy_id: int):
    profile = _profile(profile_id)
    row = db.session.get(TeacherBusyTime, busy_id)
    if row is None or row.profile_id != profile.id:
        abort(json_error(404, "This profile has no home-school time with this id."))
    shown = BUSY_TIME.dump(row)
    service.remove_busy_time(g.api_user, profile, busy_id)
    return jsonify(shown)
