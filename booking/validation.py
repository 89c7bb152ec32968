"""The one error type services raise for bad input: field name → message."""
from __future__ import annotations


class ValidationFailed(Exception):
    """Bad input, reported per field. Nothing has been written when this is raised."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
