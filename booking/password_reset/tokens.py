"""The reset link's token: who, signed with SECRET_KEY under its own salt, and a fingerprint of the
password it replaces. Setting any new password changes the fingerprint, so a token works once."""
from __future__ import annotations

import hashlib
import hmac

from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

SALT = "password-reset"


def _serializer(secret_key: str, now: datetime) -> URLSafeTimedSerializer:
    """Signed and checked at ``now`` (the app's one clock), not at the machine's time."""
    class AtNow(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(now.timestamp())

    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=AtNow)


def fingerprint(password_hash: str, session_version: int) -> str:
    return hashlib.sha256(f"{session_version}:{password_hash}".encode()).hexdigest()[:24]


def make_token(secret_key: str, user_id: int, password_hash: str, session_version: int, now: datetime) -> str:
    return _serializer(secret_key, now).dumps(
        {"user": user_id, "fp": fingerprint(password_hash, session_version)})


def read_token(secret_key: str, token: str, max_age_seconds: int, now: datetime) -> tuple[int, str] | None:
    """(user id, fingerprint) of a genuine token younger than ``max_age_seconds`` at ``now``; None otherwise."""
    try:
        payload = _serializer(secret_key, now).loads(token, max_age=max_age_seconds)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("user"), int) or not isinstance(payload.get("fp"), str):
        return None
    return payload["user"], payload["fp"]


def matches(user_fingerprint: str, token_fingerprint: str) -> bool:
    return hmac.compare_digest(user_fingerprint, token_fingerprint)
