"""Password hashing (scrypt via Werkzeug) and the rule for what a password must be."""
from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 8
# Initial passwords of imported accounts: scrypt with 1/32 of the default cost (N=2**10, 1 MB instead
# of N=2**15, 32 MB), so thousands hash within one request. Fit only for a password the owner must
# replace at first sign-in (User.must_change_password), which then gets the full cost.
INITIAL_PASSWORD_METHOD = "scrypt:1024:8:1"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def hash_initial_password(password: str) -> str:
    return generate_password_hash(password, method=INITIAL_PASSWORD_METHOD)


def verify_password(password_hash: str, password: str) -> bool:
    return bool(password_hash) and check_password_hash(password_hash, password)


# Used when an unknown email signs in, so both paths cost one scrypt and time says nothing.
DUMMY_HASH = hash_password("not-a-real-password")
