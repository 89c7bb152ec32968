"""The JSON API under /api/v1: bearer-token authentication, JSON errors, one module per resource."""
from __future__ import annotations

from flask import Blueprint, g, request
from flask_login import current_user

from booking.accounts.services import user_for_token
from booking.errors import json_error
from booking.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # token-authenticated: no cookies, so no cross-site forgery to defend against

PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate():
    """Every API call but the OpenAPI document needs `Authorization: Bearer <token>`.

    A signed-in browser session is accepted for GET requests only, so the pages can read
    the API; anything that writes needs a token.
    """
    g.api_user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.api_user = user_for_token(header[len("Bearer "):].strip())
        if g.api_user is None:
            return json_error(401, "Invalid or revoked API token.")
        return None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.method == "GET" and current_user.is_authenticated:
        g.api_user = current_user._get_current_object()
        return None
    return json_error(401, "Send an API token as `Authorization: Bearer <token>`.")


from booking.api import core  # noqa: E402,F401  (registers the routes)
