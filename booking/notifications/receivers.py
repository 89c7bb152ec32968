"""The receivers of ``booking.events``: who is told what, written in the announcing transaction.

Each announcement is grouped by booker: a series cancelled at once is one notification ("… (16 dates)").
Nobody is told about what they did themselves (a teacher cancelling their own booking hears nothing).
The visiting teacher of a lesson booked by someone else is told too when it is approved, cancelled,
changed, released or hit by a closure (a request rejected was never on their timetable).
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from booking import events
from booking.digests.formatting import place_text
from booking.extensions import db
from booking.notifications.models import NotificationKind
from booking.notifications.services import notify
from booking.teachers.models import TeacherProfile

TEACHER_KINDS = {NotificationKind.APPROVED, NotificationKind.CANCELLED, NotificationKind.CHANGED,
                 NotificationKind.RELEASED, NotificationKind.CLOSURE_HIT}


def _iso(instant) -> str | None:
    return instant.isoformat() if instant is not None else None


def booking_params(booking, **extra) -> dict:
    params = {"title": booking.title, "place": place_text(booking), "starts_at": _iso(booking.starts_at),
              "ends_at": _iso(booking.ends_at)}
    params.update({key: value for key, value in extra.items() if value not in (None, "")})
    return params


def _teachers_of(bookings) -> dict[int, TeacherProfile]:
    """The visiting teachers' profiles of the bookings' resources, by resource id."""
    resource_ids = {booking.resource_id for booking in bookings}
    profiles = db.session.scalars(select(TeacherProfile).where(TeacherProfile.resource_id.in_(resource_ids)))
    return {profile.resource_id: profile for profile in profiles}


def _by_recipient(kind: NotificationKind, bookings) -> dict[tuple[int, bool], list]:
    """The bookings each person is told about: (user id, as the visiting teacher) → bookings, by start."""
    teachers = _teachers_of(bookings) if kind in TEACHER_KINDS else {}
    groups: dict[tuple[int, bool], list] = defaultdict(list)
    for booking in sorted(bookings, key=lambda row: (row.starts_at, row.id or 0)):
        groups[(booking.booked_by_id, False)].append(booking)
        profile = teachers.get(booking.resource_id)
        if profile is not None and profile.user_id != booking.booked_by_id:
            groups[(profile.user_id, True)].append(booking)
    return groups


def tell_bookers(kind: NotificationKind, actor, bookings, **extra) -> int:
    """One notification per booker of ``bookings`` (and visiting teacher booked), not the actor; how many."""
    written = 0
    groups = _by_recipient(kind, bookings)
    teachers = _teachers_of(bookings) if any(as_teacher for _user, as_teacher in groups) else {}
    for (user_id, as_teacher), rows in groups.items():
        if actor is not None and getattr(actor, "id", None) == user_id:
            continue
        first = rows[0]
        user = teachers[first.resource_id].user if as_teacher else first.booked_by
        params = booking_params(first, count=len(rows), actor=getattr(actor, "display_name", None),
                                as_teacher=as_teacher or None, **extra)
        school_id = teachers[first.resource_id].home_school_id if as_teacher else first.school_id
        if notify(user, kind, params, booking_id=first.id, school_id=school_id) is not None:
            written += 1
    return written


def on_approved(actor, bookings, reason="", **_):
    tell_bookers(NotificationKind.APPROVED, actor, bookings, reason=reason)


def on_rejected(actor, bookings, reason="", **_):
    tell_bookers(NotificationKind.REJECTED, actor, bookings, reason=reason)


def on_displaced(actor, bookings, reason="", **_):
    tell_bookers(NotificationKind.DISPLACED, actor, bookings, reason=reason)


def on_cancelled(actor, bookings, reason="", **_):
    tell_bookers(NotificationKind.CANCELLED, actor, bookings, reason=reason)


def on_changed(actor, bookings, scope="", **_):
    tell_bookers(NotificationKind.CHANGED, actor, bookings)


def on_released(actor, bookings, **_):
    tell_bookers(NotificationKind.RELEASED, None, bookings)


def on_closure_hit(actor, bookings, closure=None, action="cancelled", **_):
    tell_bookers(NotificationKind.CLOSURE_HIT, actor, bookings, closure=getattr(closure, "reason", "") or "",
                 action=action)


def on_waitlist_booked(actor, bookings, **_):
    tell_bookers(NotificationKind.WAITLIST_BOOKED, None, bookings)


def on_waitlist_offered(actor, bookings=(), entry=None, **_):
    """The waiting teacher is offered a freed time: the entry's person, resource, times and expiry."""
    if entry is None:
        return
    user = getattr(entry, "user", None)
    resource = getattr(entry, "resource", None)
    if user is None:
        return
    params = {"title": getattr(entry, "title", "") or "", "place": getattr(resource, "name", "") or "",
              "starts_at": _iso(getattr(entry, "starts_at", None)), "ends_at": _iso(getattr(entry, "ends_at", None)),
              "expires_at": _iso(getattr(entry, "expires_at", None) or getattr(entry, "offer_expires_at", None))}
    notify(user, NotificationKind.WAITLIST_OFFERED, {k: v for k, v in params.items() if v},
           school_id=getattr(entry, "school_id", None) or user.school_id)


def on_allocation_committed(actor, bookings=(), round=None, served=(), unmet=(), **_):
    """Each requester of a term allocation round hears its answer: granted (the weekly series made for
    the request) or not, with the allocator's reason. The series are booked by the coordinator for the
    class's school, so the requester is told here rather than as the booker."""
    round_name = getattr(round, "name", "") or ""
    by_series = defaultdict(list)
    for booking in bookings:
        by_series[booking.series_id].append(booking)
    for request in served:
        if getattr(actor, "id", None) == request.requested_by_id:
            continue
        rows = sorted(by_series.get(request.series_id, []), key=lambda row: row.starts_at)
        if rows:
            params = booking_params(rows[0], count=len(rows), actor=getattr(actor, "display_name", None),
                                    reason=round_name)
            notify(request.requested_by, NotificationKind.APPROVED, params, booking_id=rows[0].id,
                   school_id=request.school_id)
    for request in unmet:
        if getattr(actor, "id", None) != request.requested_by_id:
            notify(request.requested_by, NotificationKind.REJECTED,
                   {"title": request.title, "reason": request.unmet_reason or round_name}, school_id=request.school_id)


RECEIVERS = (
    (events.booking_approved, on_approved),
    (events.booking_rejected, on_rejected),
    (events.booking_displaced, on_displaced),
    (events.booking_cancelled, on_cancelled),
    (events.booking_changed, on_changed),
    (events.booking_released, on_released),
    (events.closure_hit, on_closure_hit),
    (events.waitlist_offered, on_waitlist_offered),
    (events.waitlist_booked, on_waitlist_booked),
    (events.allocation_committed, on_allocation_committed),
)


def connect() -> None:
    """Connect every receiver (idempotent: blinker keeps one connection per receiver)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver)
