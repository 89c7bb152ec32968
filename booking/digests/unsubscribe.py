"""One-click unsubscribe: a signed token naming the user, valid without signing in.

The token is signed with SECRET_KEY (itsdangerous) under its own salt, so it can do nothing
but stop that user's digests. It does not expire: an old email's link must still work.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from booking.digests.formatting import external_url

SALT = "digest-unsubscribe"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user_id: int) -> str:
    return _serializer().dumps({"user": user_id})


def user_id_from_token(token: str) -> int | None:
    """The user the token was made for; None when it was altered or not made by us."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    user_id = payload.get("user") if isinstance(payload, dict) else None
    return user_id if isinstance(user_id, int) else None


def unsubscribe_url(user_id: int) -> str:
    return external_url("digests.unsubscribe", token=unsubscribe_token(user_id))
