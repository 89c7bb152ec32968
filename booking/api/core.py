"""GET /api/v1/me and the shape helpers the other API modules share."""
from __future__ import annotations

from flask import g, jsonify

from booking.api import bp


def user_json(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "school_id": user.school_id,
        "locale": user.locale,
    }


@bp.get("/me")
def me():
    return jsonify(user_json(g.api_user))
