"""POST /api/v1/mandate-plans/propose and /commit: the term's mandate plan (booking.teachers.mandate_plans
decides; routes only parse and shape)."""
from __future__ import annotations

from flask import abort, g, jsonify, request

from booking.accounts.models import Role
from booking.api import bp
from dataclasses import dataclass

from booking.api.booking_json import REFUSAL
from booking.api.core import ID, SCHOOL_REF
from booking.api.openapi import operation
from booking.api.shapes import Shape, boolean, choice, day, identifier, many, one, text, typed
from booking.bookings.errors import NotAllowed
from booking.bookings.models import LessonKind
from booking.errors import json_error
from booking.schools.models import Term
from booking.extensions import db
from booking.teachers import mandate_plans, plan_model
from booking.teachers.mandates import term_or_current
from booking.validation import ValidationFailed

COUNT = {"type": "integer", "minimum": 0}
HH_MM = "{:%H:%M}".format
DIGEST = {"type": "string", "minLength": 32, "maxLength": 32, "examples": ["7e77cb67224792d086875aa5dcb99e18"],
          "description": "The proposal's fingerprint (32 hex digits): commit books the plan only while it is still "
                         "this one."}


@dataclass(frozen=True)
class _Placed:
    """A lesson of the proposal with what its answer needs from the whole proposal."""
    lesson: object
    proposal: mandate_plans.Proposal
    stop: object | None  # the lesson in its teacher's round (travel in), None when not in a round


@dataclass(frozen=True)
class _Cell:
    cell: object
    shortfall: object | None  # the planner's reason the mandate stays short


def _placed_lessons(proposal: mandate_plans.Proposal) -> list[_Placed]:
    plans = mandate_plans.teacher_plans(proposal)
    stops = {id(stop.lesson): stop for plan in plans for week in plan.weeks for stop in week.stops}
    return [_Placed(lesson, proposal, stops.get(id(lesson))) for lesson in proposal.plan.lessons]


def _coverage(proposal: mandate_plans.Proposal) -> list[dict]:
    short = {(s.need.school_id, s.need.key): s for s in proposal.plan.shortfalls}
    return [{"school": row.school, "met": row.met,
             "cells": [_Cell(cell, short.get((row.school.id, cell.line.key))) for cell in row.cells]}
            for row in mandate_plans.school_coverage(proposal)]


TERM_NAME = Shape(None, {"id": identifier(), "name": text()})
LESSON = Shape(None, {
    "teacher": one(Shape(None, {"resource_id": identifier(), "name": text()}),
                   lambda placed: {"resource_id": placed.lesson.teacher_id,
                                   "name": placed.proposal.teachers[placed.lesson.teacher_id].user.display_name}),
    "school": one(SCHOOL_REF, lambda placed: placed.proposal.schools[placed.lesson.school_id]),
    "day": day("lesson.day"),
    "period_number": typed({"type": "integer", "minimum": 1}, "lesson.period_number"),
    "start": text("lesson.start", convert=HH_MM, description="Local wall-clock time, HH:MM (the host school's bells)."),
    "end": text("lesson.end", convert=HH_MM),
    "lesson_kind": choice(LessonKind, "lesson.lesson_kind"),
    "subject": text("lesson.subject"),
    "travel_minutes": typed({"type": "integer", "minimum": 0,
                             "description": "The trip in, from the previous place of the day (home first)."},
                            "stop.travel_in", nullable=True),
})
CELL = Shape(None, {
    "key": typed({"type": "string", "examples": ["demonstration-music", "training-any"]}, "cell.line.key"),
    "required": typed(COUNT, "cell.required"),
    "have": typed(COUNT, "cell.have", description="Delivered and planned before this plan."),
    "planned": typed(COUNT, "cell.planned", description="Lessons this plan adds."),
    "met": boolean("cell.met"),
    "reason": typed({"type": ["string", "null"], "enum": [*plan_model.REASONS, None],
                     "description": "Why the mandate stays short: no_teacher, no_free_period (not enough free "
                                    "periods), weekly_cap (teacher cap) or other_schools."}, "shortfall.reason"),
    "message": text("cell.reason", convert=str, nullable=True),
})
COVERAGE = Shape(None, {"school": one(SCHOOL_REF), "met": boolean(), "cells": many(CELL)})
WEEK = Shape(None, {"monday": day(), "existing": typed(COUNT), "planned": typed(COUNT, lambda week: len(week.stops))})
TEACHER_ROUND = Shape(None, {"resource_id": identifier("profile.resource_id"), "name": text("profile.user.display_name"),
                             "weekly_cap": typed(COUNT, "cap"), "weeks": many(WEEK)})
PROPOSAL = Shape("MandatePlan", {
    "term": one(TERM_NAME),
    "first_day": day(nullable=True),
    "digest": typed(DIGEST),
    "status": typed({"type": "string", "enum": ["optimal", "feasible", "greedy", "empty"],
                     "description": "optimal (proven), feasible (the best found in the time limit), greedy (the "
                                    "search found nothing in time: the nearest-first plan) or empty (nothing left to "
                                    "plan)."}, "plan.status"),
    "all_met": boolean("plan.all_met", description="Every mandate of every tied school is met with this plan."),
    "travel_minutes": typed(COUNT, lambda proposal: max(proposal.plan.travel_minutes, 0),
                            description="Travel the plan adds (each day from home and back)."),
    "lessons": many(LESSON, _placed_lessons),
    "teachers": many(TEACHER_ROUND, mandate_plans.teacher_plans),
    "schools": many(COVERAGE, _coverage),
})
COMMITTED = Shape("MandatePlanCommitted", {
    "term": one(TERM_NAME),
    "digest": typed(DIGEST),
    "booked": typed(COUNT, lambda shown: len(shown["booked"])),
    "booking_ids": many(ID, lambda shown: [booking.id for booking in shown["booked"]]),
})
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


@bp.post("/mandate-plans/propose")
@operation("Propose the term's mandate plan: the visiting teachers' rounds, per teacher and per school",
           response=PROPOSAL.ref, request_body=PROPOSE_BODY, role=Role.COORDINATOR,
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
    return jsonify(PROPOSAL.dump(proposal))


@bp.post("/mandate-plans/commit")
@operation("Commit the proposed mandate plan as visits, all or nothing", response=COMMITTED.ref,
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
                          conflicts=[REFUSAL.dump(r) for r in refused.refused.refusals])
    response = jsonify(COMMITTED.dump({"term": term, "digest": proposal.digest, "booked": booked}))
    response.status_code = 201
    return response
