"""What the calendar import's page and its API operations share, besides planning and applying (``imports``).

- ``import_target``: the target asked for (closures of the county, of a district or of one school, or the term
  dates), and ``may_import``: whether the actor may import into it;
- ``calendar_bytes``: the uploaded file, or the calendar downloaded from a web address (``fetch``);
- ``sign_import`` / ``signed_import``: the previewed events and target, signed by the server, so the
  confirmation imports exactly what was previewed (checked again against the database as it is then);
- ``apply_previewed``: the confirmation: plan again, ask again when the bookings the closures fall on are
  not the ones shown, else import.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time

from itsdangerous import BadSignature, URLSafeSerializer

from booking.bookings.hits import must_confirm, shown_ids
from booking.calendars.fetch import fetch_calendar
from booking.calendars.ics_import import MAX_BYTES, ImportedEvent, ImportProblems
from booking.calendars.imports import CLOSURES, TERMS, ImportPlan, ImportTarget, apply_import, plan_import
from booking.permissions import can_manage_closure, can_manage_district
from booking.schools.calendar import chosen_place
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

DEFAULT_URL_TIMEOUT = 10  # seconds; CALENDAR_IMPORT_TIMEOUT overrides
SALT = "calendar-import"


class BadPayload(ValueError):
    """The signed preview was altered, or is not one."""


def import_target(kind: str | None, school_id: int | str | None, remove_missing: bool,
                  district_id: int | str | None = None) -> ImportTarget:
    """The target asked for: the term dates, or closures of one school, of every school of a district, or of
    the county; an unknown school or district: ValidationFailed naming the field."""
    kind = kind if kind in (CLOSURES, TERMS) else CLOSURES
    if kind == TERMS:
        return ImportTarget(kind, None, bool(remove_missing))
    errors: dict = {}
    school, district = chosen_place(school_id, district_id, errors)
    if errors:
        raise ValidationFailed(errors)
    return ImportTarget(kind, school.id if school else None, bool(remove_missing),
                        district.id if district is not None and school is None else None)


def may_import(actor, target: ImportTarget) -> bool:
    """Term dates are the county coordinators'; closures go to a place the actor keeps closures of."""
    if target.kind == TERMS:
        return can_manage_district(actor)
    return can_manage_closure(actor, target.school_id, target.district_id)


def calendar_bytes(upload: bytes | None, address: str, config: Mapping) -> bytes:
    """The uploaded file's bytes (at most MAX_BYTES + 1 read), or the address's; ImportProblems saying what is wrong.

    ``config``: the app's (CALENDAR_IMPORT_TIMEOUT, ICS_FETCH_ALLOWED_HOSTS)."""
    address = (address or "").strip()
    if upload is not None:
        if address:
            raise ImportProblems([_l("Choose a file or give an address, not both.")])
        return upload[:MAX_BYTES + 1]
    if address:
        return fetch_calendar(address, config.get("CALENDAR_IMPORT_TIMEOUT", DEFAULT_URL_TIMEOUT),
                              config.get("ICS_FETCH_ALLOWED_HOSTS", ()))
    raise ImportProblems([_l("Choose an .ics file or give the calendar's web address.")])


def _clock(value: time | None) -> str | None:
    return value.isoformat() if value is not None else None


def sign_import(events: list[ImportedEvent], target: ImportTarget, secret: str) -> str:
    return URLSafeSerializer(secret, salt=SALT).dumps({
        "kind": target.kind, "school_id": target.school_id, "remove_missing": target.remove_missing,
        "district_id": target.district_id,
        "events": [[e.uid, e.title, e.start.isoformat(), e.end.isoformat(), _clock(e.start_time), _clock(e.end_time),
                    e.makeup, e.follows, e.guess]
                   for e in events],
    })


def _event(uid, title, start, end, start_time=None, end_time=None, makeup=False, follows=None,
           guess=None) -> ImportedEvent:
    return ImportedEvent(uid, title, date.fromisoformat(start), date.fromisoformat(end),
                         time.fromisoformat(start_time) if start_time else None,
                         time.fromisoformat(end_time) if end_time else None,
                         makeup=bool(makeup), follows=follows, guess=guess)


def signed_import(payload: str, secret: str) -> tuple[list[ImportedEvent], ImportTarget]:
    """The events and target ``sign_import`` signed; BadPayload when it was not signed here."""
    try:
        data = URLSafeSerializer(secret, salt=SALT).loads(payload or "")
        events = [_event(*values) for values in data["events"]]
        return events, ImportTarget(data["kind"], data["school_id"], bool(data["remove_missing"]),
                                    data.get("district_id"))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise BadPayload() from None


@dataclass
class Applied:
    """The confirmation's outcome: ``plan`` imported, or (``ask``) the preview to show again, nothing imported."""

    plan: ImportPlan
    ask: bool = False
    changed: bool = False  # the bookings the closures fall on are not the ones shown


def _as_shown(shown: str | set[int] | None, affected: list) -> str | None:
    """The ids a client says the preview listed (a set, from the API) as the page's hidden field carries them."""
    if shown is None or isinstance(shown, str):
        return shown
    if shown == {booking.id for booking in affected}:
        return shown_ids(affected)
    return ",".join(str(booking_id) for booking_id in sorted(shown)) or "-"  # "-": none were listed


def apply_previewed(events: list[ImportedEvent], target: ImportTarget, actor, on_bookings: str | None,
                    shown: str | set[int] | None, weekdays: dict[str, int]) -> Applied:
    """Import what was previewed, unless bookings were made or cancelled since the preview on what it closes
    (``shown``: the ids it listed, as ``hits.shown_ids`` writes them, or as a set): then the new preview,
    nothing imported. ValidationFailed (nothing written) when the import itself is refused."""
    preview = plan_import(events, target, weekdays)
    ask, changed = must_confirm(preview.affected, on_bookings, _as_shown(shown, preview.affected))
    if ask:
        return Applied(preview, ask=True, changed=changed)
    return Applied(apply_import(events, target, actor, on_bookings or "keep", weekdays))
