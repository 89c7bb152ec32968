"""The refusal services raise when the rules (or the database) say no; nothing was written."""
from __future__ import annotations

# Raised by every package's services, so it lives beside ValidationFailed; booking code imports it from here too.
from booking.validation import NotAllowed  # noqa: F401


class BookingRefused(Exception):
    """The booking clashes with the rules: 409 in the API, an explained message in the browser.

    ``refusals`` are ``rules.Refusal`` (kind, lazy message, start, end, booking_id);
    ``suggestions`` are ``suggestions.Suggestion`` alternatives (filled in by the service).
    """

    def __init__(self, refusals: list, suggestions: list | None = None):
        super().__init__("; ".join(f"{r.kind}: {r.message}" for r in refusals))
        self.refusals = refusals
        self.suggestions = suggestions or []

