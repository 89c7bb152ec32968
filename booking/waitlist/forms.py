"""The waitlist's buttons: each is a form of its own, so each carries its CSRF token."""
from __future__ import annotations

from flask_wtf import FlaskForm


class LeaveForm(FlaskForm):
    """Leave the line (or decline an offer)."""


class AcceptForm(FlaskForm):
    """Take the offered time."""


def entry_prefix(entry_id: int) -> str:
    return f"w{entry_id}-"
