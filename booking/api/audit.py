"""The audit log through the API: GET /audit, newest first, with the page's filters.

Coordinators and school admins (teachers: 403); each sees what the page shows them
(``permissions.visible_audit_entries_clause``). The query is booking.audit_log.queries'.
"""
from __future__ import annotations

from flask import g, jsonify

from booking.accounts.models import Role
from booking.api import bp
from booking.api.core import ID, INSTANT, PAGE_PARAMS, declared_query_values, iso_instant, page_json, \
    page_schema, paginate
from booking.api.openapi import nullable, obj, operation, schema
from booking.api.params import IntParam, TextParam
from booking.api.reports import DateParam
from booking.audit_log.queries import AuditFilter, entries_query

AUDIT_ENTRY_SCHEMA = schema("AuditEntry", obj({
    "id": ID,
    "at": INSTANT,
    "actor_id": nullable({**ID, "description": "Null for the system (scheduler, expiry) or a deleted account."}),
    "actor_name": {"type": "string"},
    "action": {"type": "string", "description": "e.g. booking.create, booking.approve, booking.cancel."},
    "entity_type": {"type": "string"},
    "entity_id": nullable({"type": "string"}),
    "booking_ids": {"type": "array", "items": ID, "description": "The bookings this change changed."},
    "school_id": nullable(ID),
    "resource_id": nullable(ID),
    "client_address": {"type": "string", "description": "The client's address (after the trusted proxies); "
                                                        "empty outside a request."},
    "user_agent": {"type": "string"},
    "details": {"type": "object"},
}))
AUDIT_PAGE_SCHEMA = page_schema("AuditEntryPage", AUDIT_ENTRY_SCHEMA)
LIST_PARAMS = (
    IntParam("person", "Only changes made by this user.", minimum=1),
    IntParam("school", "Only entries about this school (its own, its resources', its classes' bookings).", minimum=1),
    IntParam("resource", "Only entries about this resource or its bookings.", minimum=1),
    IntParam("booking", "Only the history of this booking.", minimum=1),
    TextParam("action", "Only this action, e.g. booking.cancel.", default="", max_length=64),
    DateParam("start", "From this district-local day."),
    DateParam("end", "Up to this district-local day, inclusive."),
) + PAGE_PARAMS


def audit_entry_json(entry) -> dict:
    return {"id": entry.id, "at": iso_instant(entry.at), "actor_id": entry.actor_id,
            "actor_name": entry.actor.display_name if entry.actor else "", "action": entry.action,
            "entity_type": entry.entity_type, "entity_id": entry.entity_id, "booking_ids": entry.booking_ids,
            "school_id": entry.school_id, "resource_id": entry.resource_id, "client_address": entry.client_address,
            "user_agent": entry.user_agent, "details": entry.details or {}}


@bp.get("/audit")
@operation("The audit log: every change, newest first", response=AUDIT_PAGE_SCHEMA, query=LIST_PARAMS,
           role=Role.SCHOOL_ADMIN,
           description="A district coordinator sees every entry; an area coordinator and a school admin the entries "
                       "about the schools they manage. Days are district-local, both inclusive.")
def audit_entries():
    values = declared_query_values()
    filters = AuditFilter(person_id=values["person"], school_id=values["school"], resource_id=values["resource"],
                          booking_id=values["booking"], action=values["action"] or "", start=values["start"],
                          end=values["end"])
    items, total = paginate(entries_query(g.api_user, filters), values["limit"], values["offset"])
    return jsonify(page_json([audit_entry_json(e) for e in items], total, values["limit"], values["offset"]))
