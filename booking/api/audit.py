"""The audit log through the API: GET /audit, newest first, with the page's filters.

Coordinators and school admins (teachers: 403); each sees what the page shows them
(``permissions.visible_audit_entries_clause``). The query is booking.audit_log.queries'.
"""
from __future__ import annotations

from flask import g, jsonify

from booking.accounts.models import Role
from booking.api import bp
from booking.api.core import PAGE_PARAMS, declared_query_values, paginate
from booking.api.openapi import operation
from booking.api.shapes import ID, Shape, identifier, instant, many, page_shape, paged, text, typed
from booking.api.params import IntParam, TextParam
from booking.api.reports import DateParam
from booking.audit_log.queries import AuditFilter, entries_query

AUDIT_ENTRY = Shape("AuditEntry", {
    "id": identifier(),
    "at": instant(),
    "actor_id": identifier(nullable=True,
                           description="Null for the system (scheduler, expiry) or a deleted account."),
    "actor_name": text(lambda entry: entry.actor.display_name if entry.actor else ""),
    "action": text(description="e.g. booking.create, booking.approve, booking.cancel."),
    "entity_type": text(),
    "entity_id": text(nullable=True),
    "booking_ids": many(ID, description="The bookings this change changed."),
    "school_id": identifier(nullable=True),
    "resource_id": identifier(nullable=True),
    "client_address": text(description="The client's address (after the trusted proxies); empty outside a request."),
    "user_agent": text(),
    "details": typed({"type": "object"}, lambda entry: entry.details or {}),
})
AUDIT_PAGE = page_shape("AuditEntryPage", AUDIT_ENTRY)
LIST_PARAMS = (
    IntParam("person", "Only changes made by this user.", minimum=1),
    IntParam("school", "Only entries about this school (its own, its resources', its classes' bookings).", minimum=1),
    IntParam("resource", "Only entries about this resource or its bookings.", minimum=1),
    IntParam("booking", "Only the history of this booking.", minimum=1),
    TextParam("action", "Only this action, e.g. booking.cancel.", default="", max_length=64),
    DateParam("start", "From this district-local day."),
    DateParam("end", "Up to this district-local day, inclusive."),
) + PAGE_PARAMS


@bp.get("/audit")
@operation("The audit log: every change, newest first", response=AUDIT_PAGE.ref, query=LIST_PARAMS,
           role=Role.SCHOOL_ADMIN,
           description="A district coordinator sees every entry; an area coordinator and a school admin the entries "
                       "about the schools they manage. Days are district-local, both inclusive.")
def audit_entries():
    values = declared_query_values()
    filters = AuditFilter(person_id=values["person"], school_id=values["school"], resource_id=values["resource"],
                          booking_id=values["booking"], action=values["action"] or "", start=values["start"],
                          end=values["end"])
    items, total = paginate(entries_query(g.api_user, filters), values["limit"], values["offset"])
    return jsonify(paged(AUDIT_PAGE, items, total, values))
