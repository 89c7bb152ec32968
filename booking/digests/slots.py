"""When a job is due: its scheduled instants ("slots") and which of them a scheduler should run.

Pure code over APScheduler triggers: the trigger that fires a job in the scheduler also lists
its slots here, so the two cannot disagree (daylight-saving rules included).

Catch-up rule. A job that catches up runs every unclaimed slot of the last ``CATCH_UP`` (3 days)
that is later than its first ever claim: those are the runs missed while no scheduler was up.
A job that never ran has missed nothing: only a slot of the last ``FIRST_RUN_GRACE`` counts, so
a new installation does not mail three days of old digests on its first start. A job that does
not catch up (expiring requests: one run covers everything) runs only its latest slot.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Iterable

from apscheduler.triggers.base import BaseTrigger

CATCH_UP = timedelta(days=3)
FIRST_RUN_GRACE = timedelta(hours=1)


class ClockTimeError(ValueError):
    """A configured time of day is not HH:MM."""


def parse_clock_time(text: str, setting: str) -> time:
    """``"21:00"`` → time(21, 0); a clear message naming the setting otherwise."""
    hours, _, minutes = (text or "").strip().partition(":")
    if hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60:
        return time(int(hours), int(minutes))
    raise ClockTimeError(f"{setting} must be a time of day as HH:MM (for example 21:00), not {text!r}")


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(timezone.utc)


def slots_between(trigger: BaseTrigger, start: datetime, end: datetime) -> list[datetime]:
    """The trigger's fire times in (start, end], as aware UTC instants, oldest first."""
    found = []
    fire = trigger.get_next_fire_time(None, start + timedelta(microseconds=1))
    while fire is not None and fire <= end:
        found.append(_utc(fire))
        fire = trigger.get_next_fire_time(fire, fire)
    return found


def due_slots(trigger: BaseTrigger, now: datetime, claimed: Iterable[datetime], first_claim: datetime | None,
              catch_up: bool) -> list[datetime]:
    """The slots to run at ``now`` (see the module's catch-up rule), oldest first."""
    claimed = {_utc(slot) for slot in claimed}
    floor = now - CATCH_UP
    if first_claim is None:
        floor = max(floor, now - FIRST_RUN_GRACE)
    else:
        floor = max(floor, _utc(first_claim))
    slots = slots_between(trigger, floor, now)
    if not catch_up:
        slots = slots[-1:]
    return [slot for slot in slots if slot not in claimed]
