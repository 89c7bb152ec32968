"""The booking engine: pure rules, no database session and no request, tested without an app.

- ``engine``: given a request and what already exists, the refusals (hours, closures, overlap, horizon,
  capacity, quantity); ``check_occurrences`` checks every date of a series at once. The fair-share rules
  too (booking.quotas): priority booking windows (``window_refusal``) and term quotas (``quota_refusals``).
- ``types``: the values the rules read and return (snapshots in, refusals out).
- ``teachers``: the rules that hold for a visiting teacher beyond a room's (travel, home timetable, caps).
- ``recurrence``: RFC 5545 recurrence rules, parsed, bounded and expanded in wall-clock time.
- ``closed``: when a school is closed, from its closures (whole days or a time range of each day).

Callers import the names below from here: ``from booking.bookings import rules``.
"""
from booking.bookings.rules.engine import (check_occurrences, closed_refusals, duration_refusal, hours_refusal,
                                           hours_text, last_open_day, local_days, opens_on, outside_term_refusal,
                                           overlap_refusals, peak_usage, quota_limit_minutes, quota_refusals,
                                           refusals_at, resolve_window, standing_refusals, window_days, window_refusal)
from booking.bookings.rules.types import (MAX_BOOKING_LENGTH, BusyTime, Calendar, Existing, Interval, Kind,
                                          OccurrenceCheck, OutsideTermPolicy, QuotaState, Refusal, Request,
                                          ResourceSnapshot, TeacherSnapshot, TermSpan, WindowSetting, clock_text,
                                          holds_against, merged_windows)

__all__ = ["check_occurrences", "closed_refusals", "duration_refusal", "hours_refusal", "local_days",
           "outside_term_refusal", "overlap_refusals", "peak_usage", "refusals_at", "standing_refusals",
           "MAX_BOOKING_LENGTH", "BusyTime", "Calendar", "Existing", "Interval", "Kind", "OccurrenceCheck",
           "OutsideTermPolicy", "Refusal", "Request", "ResourceSnapshot", "TeacherSnapshot", "TermSpan", "clock_text",
           "holds_against", "merged_windows",
           # fair shares (booking.quotas): priority windows and term quotas
           "hours_text", "last_open_day", "opens_on", "quota_limit_minutes", "quota_refusals", "resolve_window",
           "window_days", "window_refusal", "QuotaState", "WindowSetting"]
