"""What the mandate planner reads and returns: plain frozen dataclasses, and why a mandate stays short.

Pure: no database, no request (see ``planner`` for the model).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Mapping

from booking.bookings.rules import BusyTime

DEFAULT_MAX_LESSONS_PER_ROUND = 2
DEFAULT_SEED = 7
DEFAULT_WORKERS = 1
DEFAULT_DETERMINISTIC_LIMIT = 0.3  # CP-SAT deterministic time units: the same search whatever the machine's load
DEFAULT_WALL_LIMIT = 30.0  # seconds; only a safety net, well above what the deterministic limit takes

# Why a mandate stays short (Shortfall.reason)
NO_TEACHER = "no_teacher"  # no visiting teacher who serves the school teaches it
NO_FREE_PERIOD = "no_free_period"  # the teachers' free periods at the school are fewer than the lessons missing
WEEKLY_CAP = "weekly_cap"  # every week the teachers could come is full to their weekly cap
OTHER_SCHOOLS = "other_schools"  # the teachers' free days are needed for other schools' mandates
REASONS = (NO_TEACHER, NO_FREE_PERIOD, WEEKLY_CAP, OTHER_SCHOOLS)


def minute(clock: time) -> int:
    return clock.hour * 60 + clock.minute


def week_of(day: date) -> date:
    """The Monday of ``day``'s week (the weekly cap counts Monday to Sunday)."""
    return day - timedelta(days=day.weekday())


# --- input ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    number: int
    start: time
    end: time


@dataclass(frozen=True)
class HostSchool:
    id: int
    name: str
    periods: tuple[Period, ...]
    closed: Mapping[date, str] = field(default_factory=dict)  # local date → reason (district holidays included)


@dataclass(frozen=True)
class FixedStop:
    """Where the teacher already has to be on a day: a booked lesson at a school (local wall-clock times)."""

    day: date
    start: time
    end: time
    school_id: int


@dataclass(frozen=True)
class Teacher:
    id: int  # the teacher's resource id (what a visit books)
    name: str
    home_school_id: int
    subjects: tuple[str, ...]
    weekly_cap: int
    served_school_ids: tuple[int, ...]
    availability: tuple[tuple[int, time, time], ...] = ()  # (weekday, from, to); empty = any time
    busy: tuple[BusyTime, ...] = ()  # the home timetable
    lessons: tuple[FixedStop, ...] = ()  # lessons already booked, in the planned weeks
    closed: Mapping[date, str] = field(default_factory=dict)  # days the engine refuses the teacher (home school)
    last_day: date | None = None  # the teacher's booking horizon


@dataclass(frozen=True)
class Need:
    """What a tied school still lacks of one mandate: ``required`` less what is delivered or planned."""

    school_id: int
    lesson_kind: str  # demonstration / training / regular
    subject: str  # "" = any subject
    required: int
    have: int = 0

    @property
    def missing(self) -> int:
        return max(self.required - self.have, 0)

    @property
    def key(self) -> str:
        return f"{self.lesson_kind}-{self.subject or 'any'}"


@dataclass(frozen=True)
class PlanInput:
    days: tuple[date, ...]  # the days lessons may be planned on, in order
    teachers: tuple[Teacher, ...]
    schools: tuple[HostSchool, ...]
    needs: tuple[Need, ...]
    travel: Mapping[tuple[int, int], int]  # minutes, keyed by (smaller id, larger id)
    max_lessons_per_round: int = DEFAULT_MAX_LESSONS_PER_ROUND
    seed: int = DEFAULT_SEED
    workers: int = DEFAULT_WORKERS
    deterministic_limit: float = DEFAULT_DETERMINISTIC_LIMIT
    wall_limit: float = DEFAULT_WALL_LIMIT

    def minutes(self, a: int, b: int) -> int | None:
        return 0 if a == b else self.travel.get((min(a, b), max(a, b)))


# --- output --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lesson:
    teacher_id: int
    school_id: int
    day: date
    period_number: int
    start: time
    end: time
    lesson_kind: str
    subject: str

    def as_json(self) -> dict:
        return {"teacher_id": self.teacher_id, "school_id": self.school_id, "day": self.day.isoformat(),
                "period_number": self.period_number, "start": self.start.strftime("%H:%M"),
                "end": self.end.strftime("%H:%M"), "lesson_kind": self.lesson_kind, "subject": self.subject}


@dataclass(frozen=True)
class Shortfall:
    need: Need
    planned: int
    missing: int  # still missing after the plan
    reason: str  # one of REASONS
    free_periods: int = 0  # for NO_FREE_PERIOD: how many lessons the teachers could give there at most


@dataclass
class Plan:
    lessons: list[Lesson]
    shortfalls: list[Shortfall]
    travel_minutes: int  # travel the plan adds to the teachers' days (round trips from home)
    status: str  # optimal, feasible (time limit reached), empty (nothing to plan)
    planned_by_need: dict[tuple[int, str], int] = field(default_factory=dict)  # (school, need key) → lessons

    @property
    def all_met(self) -> bool:
        return not self.shortfalls

    def digest(self) -> str:
        """A fingerprint of the lessons: the plan a coordinator saw is the plan that is committed."""
        text = json.dumps([lesson.as_json() for lesson in self.lessons], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]
