"""POST /api/v1/mandate-plans/propose and /commit: the term's mandate plan (booking.teachers.mandate_plans
decides; routes only parse and shape)."""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from booking.api.booking_json import refusal_json
from booking.api.core import ID, SCHOOL_REF_SCHEMA, school_ref_json
from booking.api.openapi import enum_schema, nullable, obj, operation, schema
from booking.bookings.errors import NotAllowed
from booking.bookings.models import LessonKind
from booking.errors import json_error
from booking.schools.models import Term
from booking.extensions import db
from booking.teachers import mandate_plans, plan_model
from booking.teachers.mandates import term_or_current
from booking.validation import ValidationFailed

COUNT = {"type": "integer", "minimum": 0}
DIGEST = {"type": "string", "minLength": 32, "maxLength": 32, "examples": ["7e77cb67224792d086875aa5dcb99e18"],
          "description": "The proposal's fingerprint (32 hex digits): commit books the plan only while it is still "
                         "this one."}
DAY = {"type": "string", "format": "date"}
LESSON_SCHEMA = obj({
    "teacher": obj({"resource_id": ID, "name": {"type": "string"}}),
    "school": SCHOOL_REF_SCHEMA,
    "day": DAY,
    "period_number": {"type": "integer", "minimum": 1},
    "start": {"type": "string", "description": "Local wall-clock time, HH:MM (the host school's bells)."},
    "end": {"type": "string"},
    "lesson_kind": enum_schema(LessonKind),
    "subject": {"type": "string"},
    "travel_minutes": nullable({"type": "integer", "minimum": 0,
                                "description": "The trip in, from the previous place of the day (home first)."}),
})
COVERAGE_SCHEMA = obj({
    "school": SCHOOL_REF_SCHEMA, "met": {"type": "boolean"},
    "cells": {"type": "array", "items": obj({
        "key": {"type": "string", "examples": ["demonstration-music", "training-any"]},
        "required": COUNT, "have": {**COUNT, "description": "Delivered and planned before this plan."},
        "planned": {**COUNT, "description": "Lessons this plan adds."},
        "met": {"type": "boolean"},
        "reason": nullable({"type": "string", "enum": [*plan_model.REASONS, None],
                            "description": "Why the mandate stays short: no_teacher, no_free_period (not enough "
                                           "free periods), weekly_cap (teacher cap) or other_schools."}),
        "message": nullable({"type": "string"}),
    })},
})
PROPOSAL_SCHEMA = schema("MandatePlan", obj({
    "term": obj({"id": ID, "name": {"type": "string"}}),
    "first_day": nullable(DAY),
    "digest": DIGEST,
    "status": {"type": "string", "enum": ["optimal", "feasible", "greedy", "empty"],
               "description": "optimal (proven), feasible (the best found in the time limit), greedy (the search found "
                              "nothing in time: the nearest-first plan) or empty (nothing left to plan)."},
    "all_met": {"type": "boolean", "description": "Every mandate of every tied school is met with this plan."},
    "travel_minutes": {**COUNT, "description": "Travel the plan adds (each day from home and back)."},
    "lessons": {"type": "array", "items": LESSON_SCHEMA},
    "teachers": {"type": "array", "items": obj({
        "resource_id": ID, "name": {"type": "string"}, "weekly_cap": COUNT,
        "weeks": {"type": "array", "items": obj({"monday": DAY, "existing": COUNT, "planned": COUNT})},
    })},
    "schools": {"type": "array", "items": COVERAGE_SCHEMA},
}))
COMMITTED_SCHEMA = schema("MandatePlanCommitted", obj({
    "term": obj({"id": ID, "name": {"type": "string"}}),
    "digest": DIGEST,
    "booked": COUNT,
    "booking_ids": {"type": "array", "items": ID},
}))
PROPOSE_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "term": {**ID, "description": "The term's id; default the current (or next) term."},
}}
COMMIT_BODY = {"type": "object", "additionalProperties": False, "required": ["term", "digest"], "properties": {
    "term": ID, "digest": DIGEST,
}}


def _term(term_id: int | None) -> Term:
    term = term_or_current(term_id)
    if term is None:
        if term_id is not None:
            raise ValidationFailed({"term": f"No term has the id {term_id}."})
        abort(404)
    return term


def _term_json(term: Term) -> dict:
    return {"id": term.id, "name": term.name}


def proposal_json(proposal: mandate_plans.Proposal) -> dict:
    plans = mandate_plans.teacher_plans(proposal)
    stops = {id(stop.lesson): stop for plan in plans for week in plan.weeks for stop in week.stops}
    short = {(s.need.school_id, s.need.key): s for s in proposal.plan.shortfalls}
    return {
        "term": _term_json(proposal.term),
        "first_day": proposal.first_day.isoformat() if proposal.first_day else None,
        "digest": proposal.digest, "status": proposal.plan.status, "all_met": proposal.plan.all_met,
        "travel_minutes": max(proposal.plan.travel_minutes, 0),
        "lessons": [{
            "teacher": {"resource_id": lesson.teacher_id, "name": proposal.teachers[lesson.teacher_id].user.display_name},
            "school": school_ref_json(proposal.schools[lesson.school_id]), "day": lesson.day.isoformat(),
            "period_number": lesson.period_number, "start": lesson.start.strftime("%H:%M"),
            "end": lesson.end.strftime("%H:%M"), "lesson_kind": lesson.lesson_kind, "subject": lesson.subject,
            "travel_minutes": stops[id(lesson)].travel_in if id(lesson) in stops else None,
        } for lesson in proposal.plan.lessons],
        "teachers": [{"resource_id": plan.profile.resource_id, "name": plan.profile.user.display_name,
                      "weekly_cap": plan.cap,
                      "weeks": [{"monday": week.monday.isoformat(), "existing": week.existing,
                                 "planned": len(week.stops)} for week in plan.weeks]} for plan in plans],
        "schools": [{"school": school_ref_json(row.school), "met": row.met, "cells": [{
            "key": cell.line.key, "required": cell.required, "have": cell.have, "planned": cell.planned,
            "met": cell.met,
            "reason": short[(row.school.id, cell.line.key)].reason if (row.school.id, cell.line.key) in short else None,
            "message": str(cell.reason) if cell.reason is not None else None,
        } for cell in row.cells]} for row in mandate_plans.school_coverage(proposal)],
    }


@bp.post("/mandate-plans/propose")
@operation("Propose the term's mandate plan: the visiting teachers' rounds, per teacher and per school",
           response=PROPOSAL_SCHEMA, request_body=PROPOSE_BODY, role=Role.COORDINATOR,
           description="Writes nothing. From tomorrow to the end of the term, the lead schools' visiting teachers "
                       "are sent to the tied schools so that every mandate is met where it can be (home timetable, "
                       "weekly caps, travel, the host school's bells and closures respected), with the fewest travel "
                       "minutes; each mandate left short names its reason. The same data gives the same plan and "
                       "`digest`. District coordinators only.")
def propose_mandate_plan():
    body = request.get_json(silent=True) or {}
    term = _term(body.get("term"))
    try:
        proposal = mandate_plans.propose(g.api_user, term)
    except NotAllowed:
        return json_error(403, "Only district coordinators plan the mandates.")
    return jsonify(proposal_json(proposal))


@bp.post("/mandate-plans/commit")
@operation("Commit the proposed mandate plan as visits, all or nothing", response=COMMITTED_SCHEMA,
           request_body=COMMIT_BODY, role=Role.COORDINATOR, errors=(409,), status=201,
           description="Books every lesson of the proposal whose `digest` is given, through the booking rules, in "
                       "one transaction. 409 `plan_changed` when the proposal is no longer that one (propose again); "
                       "409 `conflict` when the rules refuse a lesson: then nothing is booked. District coordinators "
                       "only.")
def commit_mandate_plan():
    body = request.get_json(silent=True) or {}
    term = db.session.get(Term, body["term"])
    if term is None:
        raise ValidationFailed({"term": f"No term has the id {body['term']}."})
    try:
        proposal, booked = mandate_plans.commit(g.api_user, term, body["digest"])
    except NotAllowed:
        return json_error(403, "Only district coordinators plan the mandates.")
    except mandate_plans.PlanChanged:
        return json_error(409, "The plan changed since it was proposed; propose it again.", error="plan_changed")
    except mandate_plans.PlanRefused as refused:
        return json_error(409, "The booking rules refused a lesson of the plan; nothing was booked.",
                          error="conflict", lesson=refused.lesson.as_json(),
                          conflicts=[refusal_json(r) for r in refused.refused.refusals])
    response = jsonify({"term": _term_json(term), "digest": proposal.digest, "booked": len(booked),
                        "booking_ids": [b.id for b in booked]})
    response.status_code = 201
    return response
