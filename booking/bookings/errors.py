"""The refusal services raise when the rules (or the database) say no; nothing was written."""
from __future__ import annotations

from booking.texts import lazy_gettext as _l
# Raised by every package's services, so it lives beside ValidationFailed; booking code imports it from here too.
from booking.validation import NotAllowed, ValidationFailed  # noqa: F401


class BookingRefused(Exception):
    """The booking clashes with the rules: 409 in the API, an explained message in the browser.

    ``refusals`` are ``rules.Refusal`` (kind, lazy message, start, end, booking_id);
    ``suggestions`` are ``suggestions.Suggestion`` alternatives (filled in by the service).
    """

    def __init__(self, refusals: list, suggestions: list | None = None):
        super().__init__("; ".join(f"{r.kind}: {r.message}" for r in refusals))
        self.refusals = refusals
        self.suggestions = suggestions or []



class NeedsConfirmation(ValidationFailed):
    """Dates lie in a gap between terms and the resource asks the booker to confirm them (422 ``outside_term``).

    A ValidationFailed on the field ``outside_term_ok``, so every form shows it there; ``refusals``
    are the confirmable ``rules.Refusal`` (kind outside_term), one per date."""

    def __init__(self, refusals: list):
        first = refusals[0].message
        message = first if len(refusals) == 1 else _l(
            "%(first)s (%(n)d dates between terms in all.)", first=first, n=len(refusals))
        super().__init__({"outside_term_ok": message})
        self.refusals = refusals
