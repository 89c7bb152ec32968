"""A visiting teacher's details in the resource JSON (``GET /api/v1/resources[/<id>]``, kind=teacher).

Teachers are resources: they are listed and read by the resource routes; this module shapes
the ``teacher`` member those routes add (null for rooms and kits, and for a teacher resource
that has no profile yet).
"""
from __future__ import annotations

from booking.api.core import CLOCK_TIME, ID, SCHOOL_REF_SCHEMA, clock_time, school_ref_json
from booking.api.openapi import nullable, obj, schema
from booking.resources.models import Resource, ResourceKind
from booking.teachers.snapshots import profile_of_resource

BUSY_TIME_SCHEMA = schema("TeacherBusyTime", obj({
    "weekday": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday."},
    "start": CLOCK_TIME,
    "end": CLOCK_TIME,
    "term_id": nullable(ID),
    "first_date": nullable({"type": "string", "format": "date"}),
    "last_date": nullable({"type": "string", "format": "date"}),
    "note": {"type": "string"},
}))

TEACHER_SCHEMA = schema("VisitingTeacher", obj({
    "user_id": ID,
    "display_name": {"type": "string"},
    "subjects": {"type": "array", "items": {"type": "string"}, "description": "e.g. music, pe, art."},
    "home_school": SCHOOL_REF_SCHEMA,
    "served_schools": {"type": "array", "items": SCHOOL_REF_SCHEMA},
    "weekly_cap": {"type": "integer", "minimum": 1, "description": "Lessons per week (Monday to Sunday), at most."},
    "busy_times": {"type": "array", "items": BUSY_TIME_SCHEMA,
                   "description": "The home-school timetable; the teacher's available times are `opening_hours`."},
}))

TEACHER_MEMBER = {"oneOf": [TEACHER_SCHEMA, {"type": "null"}],
                  "description": "Visiting teachers only: subjects, home school, schools served, weekly cap."}


def teacher_json(resource: Resource) -> dict | None:
    if resource.kind != ResourceKind.TEACHER:
        return None
    profile = profile_of_resource(resource.id)
    if profile is None:
        return None
    return {
        "user_id": profile.user_id,
        "display_name": profile.user.display_name,
        "subjects": profile.subjects,
        "home_school": school_ref_json(profile.home_school),
        "served_schools": [school_ref_json(school) for school in profile.served],
        "weekly_cap": profile.weekly_cap,
        "busy_times": [{"weekday": b.weekday, "start": clock_time(b.starts), "end": clock_time(b.ends),
                        "term_id": b.term_id, "first_date": b.first_date.isoformat() if b.first_date else None,
                        "last_date": b.last_date.isoformat() if b.last_date else None, "note": b.note}
                       for b in profile.busy_times],
    }
