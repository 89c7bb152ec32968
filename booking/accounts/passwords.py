"""Password hashing (scrypt via Werkzeug) and the rule for what a password must be."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def verify_password(password_hash: str, password: str) -> bool:
    return bool(password_hash) and check_password_hash(password_hash, password)


# Used when an unknown email signs in, so both paths cost one scrypt and time says nothing.
DUMMY_HASH = hash_password("not-a-real-password")
