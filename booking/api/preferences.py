"""The caller's own settings besides notifications: the profile (name, language) and the usage digest.

PATCH /me (the profile page's form: ``accounts.services.update_profile``) and GET/PUT /digests/settings
(the digest page's choice: ``digests.preferences.set_frequency``, audited). Email, role and school are
a coordinator's to change (the users pages); a password only on the website.
"""
from __future__ import annotations

from flask import g, jsonify, request

from booking.accounts.models import DigestFrequency, User
from booking.accounts.services import PROFILE_LOCALES, update_profile
from booking.api import bp
from booking.api.core import USER
from booking.api.openapi import operation
from booking.api.shapes import Shape, choice
from booking.digests.preferences import set_frequency

PROFILE_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "display_name": {"type": "string", "minLength": 1, "maxLength": User.display_name.type.length},
    "locale": {"type": "string", "enum": list(PROFILE_LOCALES),
               "description": "The language of the pages, emails and the API's notification words."},
}}
DIGEST = Shape("DigestSettings", {
    "frequency": choice(DigestFrequency, "digest_frequency",
                        description="How often the usage digest is emailed: daily, weekly or none."),
})
DIGEST_BODY = {"type": "object", "additionalProperties": False, "required": ["frequency"],
               "properties": {"frequency": DIGEST.definition["properties"]["frequency"]}}


@bp.patch("/me")
@operation("Change your name or language", response=USER.ref, request_body=PROFILE_BODY,
           description="Only the fields given change; the same rules as the profile page.")
def update_me():
    body = request.get_json(silent=True) or {}  # valid against PROFILE_BODY, checked before the view
    user = g.api_user
    return jsonify(USER.dump(update_profile(user, body.get("display_name", user.display_name),
                                            body.get("locale", user.locale))))


@bp.get("/digests/settings")
@operation("How often you get the usage digest", response=DIGEST.ref)
def digest_settings():
    return jsonify(DIGEST.dump(g.api_user))


@bp.put("/digests/settings")
@operation("Set how often you get the usage digest", response=DIGEST.ref, request_body=DIGEST_BODY,
           description="Audited (`digest.frequency`).")
def set_digest_settings():
    body = request.get_json(silent=True)  # valid against DIGEST_BODY, checked before the view
    set_frequency(g.api_user, body["frequency"], g.api_user)
    return jsonify(DIGEST.dump(g.api_user))
