"""A visiting teacher's details in the resource JSON (``GET /api/v1/resources[/<id>]``, kind=teacher).

Teachers are resources: they are listed and read by the resource routes; this module shapes
the ``teacher`` member those routes add (null for rooms and kits, and for a teacher resource
that has no profile yet).
"""
from __future__ import annotations

from booking.api.core import SCHOOL_REF
from booking.api.shapes import Shape, clock, day, identifier, many, one, text, typed
from booking.resources.models import Resource, ResourceKind
from booking.teachers.snapshots import profile_of_resource

BUSY_TIME = Shape("TeacherBusyTime", {
    "id": identifier(),
    "weekday": typed({"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday."}),
    "start": clock("starts"),
    "end": clock("ends"),
    "term_id": identifier(nullable=True),
    "first_date": day(nullable=True),
    "last_date": day(nullable=True),
    "note": text(),
})
TEACHER = Shape("VisitingTeacher", {
    "user_id": identifier(),
    "display_name": text("user.display_name"),
    "subjects": many({"type": "string"}, description="e.g. music, pe, art."),
    "home_school": one(SCHOOL_REF),
    "served_schools": many(SCHOOL_REF, "served"),
    "weekly_cap": typed({"type": "integer", "minimum": 1,
                         "description": "Lessons per week (Monday to Sunday), at most."}),
    "busy_times": many(BUSY_TIME, description="The home-school timetable; the teacher's available times are "
                                              "`opening_hours`."),
})


def teacher_profile(resource: Resource):
    """The visiting teacher's profile behind a resource; None for rooms and kits, and before it is set up."""
    if resource.kind != ResourceKind.TEACHER:
        return None
    return profile_of_resource(resource.id)


# The ``teacher`` member of a resource: read with ``teacher_profile``.
TEACHER_MEMBER_FIELD = one(TEACHER, teacher_profile, nullable=True,
                           description="Visiting teachers only: subjects, home school, schools served, weekly cap.")
