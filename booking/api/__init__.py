"""The JSON API under /api/v1: bearer-token authentication, JSON errors, one module per resource.

Each module declares its routes' contracts with ``openapi.operation`` beside the routes;
``authenticate`` reads the same declaration to know which routes are public and which role
a route needs, and ``refuse_undeclared_body`` checks each JSON body against the declared schema
(booking/api/bodies.py), so the OpenAPI document, the access rules and the body checks cannot drift apart.

- ``core``: /me, the OpenAPI document, shared shapes; ``openapi``: declaring operations, building the document.
- ``shapes``: declaring a response shape once (``Shape``/``Field``): it dumps the object and is its component schema.
- ``bodies``: the declared request bodies; ``params``: reading query parameters; ``booking_json``: booking shapes.
- ``schools``, ``resources``, ``blackouts``, ``bookings``, ``outcomes``, ``teachers``, ``mandates``,
  ``mandate_plans``, ``allocation``, ``feeds``, ``reports``, ``notifications``, ``makeup_days``, ``waitlist``:
  the routes of each resource; ``fair_shares``: booking windows, term quotas and their exceptions, a school's standing;
  ``calendar``: closures (with the bookings they hit) and terms; ``audit``: the audit log;
  ``tokens``: the caller's API tokens; ``users``: adding and changing accounts (the users pages' forms);
  ``booking_changes``: changing a booking (one date, the following, the series);
  ``preferences``: the caller's profile (name, language) and digest frequency;
  ``school_admin``: adding and changing schools, archiving them, their bells (version compare-and-set);
  ``travel``: the travel matrix and one school's travel row; ``resource_admin``: adding a resource.
  ``uploads``: declaring and reading an uploaded file (multipart or the raw body);
  ``calendar_imports``: the .ics import of closures and terms (preview, apply); ``csv_imports``: the CSV
  imports as jobs; ``teacher_admin``: visiting teachers' profiles and timetables; ``mandate_targets``: the
  terms' mandate targets and the visit setting.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, request
from flask_login import current_user

from booking.accounts.services import user_for_token
from booking.api.openapi import Operation, operation_of
from booking.errors import json_error
from booking.extensions import csrf
from booking.validation import ValidationFailed

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated: no cookies, so no cross-site forgery to defend against

# A browser session may read through the API; writing needs a token (no CSRF check here).
SESSION_METHODS = {"GET", "HEAD"}
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


def _declared_operation() -> Operation | None:
    return operation_of(current_app.view_functions.get(request.endpoint))


def role_refusal(user, declared: Operation | None):
    """A 403 response when ``declared`` needs a role ``user`` lacks; None when allowed."""
    if declared is not None and declared.role is not None and not user.has_role(declared.role):
        return json_error(403, f"This needs the role {declared.role.value} or above.")
    return None


@bp.before_request
def authenticate():
    """Every API call but the public ones needs `Authorization: Bearer <token>` (or a session, for reads)."""
    declared = _declared_operation()
    g.api_user = None
    if declared is not None and declared.public:
        return None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = user_for_token(header[len("Bearer "):].strip())
        if user is None:
            return json_error(401, "Invalid or revoked API token.", headers=BEARER_CHALLENGE)
    elif request.method in SESSION_METHODS and current_user.is_authenticated:
        user = current_user._get_current_object()
    else:
        return json_error(401, "Send an API token as `Authorization: Bearer <token>`.", headers=BEARER_CHALLENGE)
    if user.must_change_password:
        return json_error(403, "Change your initial password on the website (profile, change password) "
                               "before using the API.", error="password_change_required")
    g.api_user = user
    return role_refusal(user, declared)


@bp.before_request
def refuse_undeclared_parameters():
    """A query parameter the route does not declare is a mistake (a misspelt filter would be ignored)."""
    declared = _declared_operation()
    known = {param.name for param in declared.query} if declared is not None else set()
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise ValidationFailed({name: "Unknown parameter." for name in unknown})
    return None


@bp.before_request
def refuse_undeclared_body():
    """A JSON body must match the operation's declared schema (the one the document shows) before the view runs."""
    declared = _declared_operation()
    if declared is not None and declared.request_body is not None:
        check_body(declared, request)
    return None


@bp.errorhandler(ValidationFailed)
def invalid_input(failed: ValidationFailed):
    return json_error(422, fields=failed.errors)


from booking.api.bodies import check_body  # noqa: E402  (imports the route modules' schemas)
# The route modules register their routes on ``bp``; one per line, so adding one touches one line.
from booking.api import allocation  # noqa: E402,F401
from booking.api import audit  # noqa: E402,F401
from booking.api import blackouts  # noqa: E402,F401
from booking.api import booking_changes  # noqa: E402,F401
from booking.api import bookings  # noqa: E402,F401
from booking.api import calendar  # noqa: E402,F401
from booking.api import calendar_imports  # noqa: E402,F401
from booking.api import core  # noqa: E402,F401
from booking.api import csv_imports  # noqa: E402,F401
from booking.api import fair_shares  # noqa: E402,F401
from booking.api import feeds  # noqa: E402,F401
from booking.api import makeup_days  # noqa: E402,F401
from booking.api import mandate_targets  # noqa: E402,F401
from booking.api import mandate_plans  # noqa: E402,F401
from booking.api import mandates  # noqa: E402,F401
from booking.api import notifications  # noqa: E402,F401
from booking.api import outcomes  # noqa: E402,F401
from booking.api import preferences  # noqa: E402,F401
from booking.api import reports  # noqa: E402,F401
from booking.api import resource_admin  # noqa: E402,F401
from booking.api import resources  # noqa: E402,F401
from booking.api import school_admin  # noqa: E402,F401
from booking.api import schools  # noqa: E402,F401
from booking.api import teacher_admin  # noqa: E402,F401
from booking.api import tokens  # noqa: E402,F401
from booking.api import travel  # noqa: E402,F401
from booking.api import users  # noqa: E402,F401
from booking.api import waitlist  # noqa: E402,F401
