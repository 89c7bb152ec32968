"""Robots' webhook addresses and signing secrets, encrypted at rest (Fernet: AES-128-CBC with an HMAC).

The key is derived from the app's SECRET_KEY with HKDF-SHA256 (``KEY_INFO`` names the purpose, so the
key is no other use's); a key in SECRET_KEY_FALLBACKS still opens what it sealed, so the SECRET_KEY can be
rotated (new values are sealed with the new key). Changing the SECRET_KEY without keeping the old one in
the fallbacks leaves the robots unreadable: they read as empty (a warning is logged) and must be set up again.

``SealedText`` is the column type: Python sees the plain text, the database only the token. An empty
value stays empty (it says no more than the pages do: no secret is set). Migration 0011w sealed the values
written before; it derives the same key by itself (migrations import no app code).
"""
from __future__ import annotations

import base64
import logging
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

KEY_INFO = b"district-share notification robots"
log = logging.getLogger("booking.notifications")


def fernet_key(secret_key: str | bytes) -> bytes:
    """The Fernet key for robots' secrets derived from one SECRET_KEY."""
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(material)
    return base64.urlsafe_b64encode(derived)


@lru_cache(maxsize=8)
def _fernet(secret_keys: tuple[str | bytes, ...]) -> MultiFernet:
    return MultiFernet([Fernet(fernet_key(key)) for key in secret_keys])


def keys_of(config) -> tuple[str | bytes, ...]:
    """The SECRET_KEY first (it seals), then each of SECRET_KEY_FALLBACKS (they still open)."""
    return (config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or ()))


def seal(plain: str, secret_keys: tuple[str | bytes, ...]) -> str:
    return _fernet(secret_keys).encrypt(plain.encode()).decode("ascii") if plain else ""


def unseal(token: str, secret_keys: tuple[str | bytes, ...]) -> str:
    """The plain text; raises InvalidToken when no key opens ``token``."""
    return _fernet(secret_keys).decrypt(token.encode("ascii")).decode() if token else ""


class SealedText(TypeDecorator):
    """A text column stored sealed with the app's key (see above); read back as the plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect):
        return None if value is None else seal(value, keys_of(current_app.config))

    def process_result_value(self, value: str | None, dialect):
        if value is None:
            return None
        try:
            return unseal(value, keys_of(current_app.config))
        except (InvalidToken, UnicodeError):
            log.warning("A robot's sealed value could not be opened with the SECRET_KEY (was the key changed?)")
            return ""
