"""Helping a teacher find a slot: alternatives after a refusal, and the district-wide free search.

Both ask the same question of many (resource, interval) pairs, answered by ``free_slots``
with one query for the bookings of all of them and two for their calendars.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from booking.accounts.models import Role
from booking.bookings import rules
from booking.bookings.planning import Plan, can_approve, period_school_id
from booking.bookings.queries import (as_existing, calendars_for, check_window, overlapping_bookings, resource_snapshot,
                                      span_of)
from booking.clock import utcnow
from booking.extensions import db
from booking.quotas.services import window_days_by_resource
from booking.i18n import district_zone, local_to_utc
from booking.resources.models import Category, Resource
from booking.resources.services import ResourceFilter, visible_resources
from booking.schools.models import BellPeriod, School
from booking.schools.services import travel_matrix, travel_minutes
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

MAX_SUGGESTIONS = 5
NEARBY_DAYS = 7


@dataclass(frozen=True)
class Suggestion:
    resource_id: int
    resource_name: str
    school_id: int
    school_name: str
    start: datetime
    end: datetime
    travel_minutes: int | None  # from the class's school; None when nobody entered it
    same_resource: bool
    period_number: int | None = None  # the host school's 第N节 this slot is, when asked for by period


def free_slots(actor, pairs: list[tuple[Resource, rules.Interval]],
               template: rules.Request) -> list[tuple[Resource, rules.Interval]]:
    """The pairs the rules accept for ``template`` (the class, students, quantity), in the given order.

    A date between terms that the resource only asks to confirm counts as free (the form asks); make-up
    teaching days count as the weekday they follow (their calendars say so)."""
    if not pairs:
        return []
    resources = {resource.id: resource for resource, _ in pairs}
    windows = {check_window(resource, interval) for resource, interval in pairs}
    span = span_of(windows)
    rows = overlapping_bookings(resources, span, windows=windows)
    existing = {rid: as_existing(row for row in rows if row.resource_id == rid) for rid in resources}
    calendars = calendars_for(resources.values(), span)
    now = utcnow()
    # Priority windows (booking.quotas): what the class's school cannot book yet is not offered as free.
    school = db.session.get(School, template.school_id) if template.school_id and actor.role != Role.COORDINATOR else None
    window_days = window_days_by_resource(resources.values(), school)
    requests = {rid: replace(template, resource=resource_snapshot(r), window_days=window_days[rid],
                             confirmed=not r.approval_required or can_approve(actor, r))
                for rid, r in resources.items()}
    return [
        (resource, interval) for resource, interval in pairs
        if not rules.standing_refusals(requests[resource.id])
        and not [r for r in rules.refusals_at(requests[resource.id], interval, existing[resource.id],
                                              calendars[resource.id], now) if not r.confirmable]
    ]


def class_request(actor, school_id: int | None, students: int | None = None, quantity: int = 1) -> rules.Request:
    """A request by ``actor`` for a class of ``school_id``, not yet tied to a resource (see free_slots)."""
    return rules.Request(resource=rules.ResourceSnapshot(id=0, owner_school_id=0), booker_role=actor.role.value,
                         booker_school_id=actor.school_id, school_id=school_id, students=students, quantity=quantity)


def _bell_starts(school_id: int) -> list[time]:
    return list(db.session.scalars(
        select(BellPeriod.start_time).where(BellPeriod.school_id == school_id).order_by(BellPeriod.number)))


def nearby_intervals(target: rules.Interval, bell_starts: list[time]) -> list[rules.Interval]:
    """Same length: at the other bell periods that day and the next, and at the same time on the next days.

    Nearest first (by distance from the asked start).
    """
    zone = district_zone()
    length = target.end - target.start
    day = target.start.astimezone(zone).date()
    clock = target.start.astimezone(zone).time()
    starts = {local_to_utc(day + timedelta(days=n), clock, zone) for n in range(1, NEARBY_DAYS + 1)}
    starts |= {local_to_utc(day + timedelta(days=n), bell, zone) for n in (0, 1) for bell in bell_starts}
    starts.discard(target.start)
    return [rules.Interval(s, s + length) for s in sorted(starts, key=lambda s: abs(s - target.start))]


def _suggestion(resource: Resource, interval: rules.Interval, school_id: int | None, matrix: dict,
                same: bool, period_number: int | None = None) -> Suggestion:
    minutes = None if school_id is None else travel_minutes(school_id, resource.owner_school_id, matrix)
    return Suggestion(resource.id, resource.name, resource.owner_school_id, resource.owner_school.name,
                      interval.start, interval.end, minutes, same, period_number)


def _by_travel(suggestions: list[Suggestion]) -> list[Suggestion]:
    return sorted(suggestions, key=lambda s: (s.travel_minutes is None, s.travel_minutes or 0, s.resource_name))


def other_resources_free(actor, resource: Resource, target: rules.Interval, template: rules.Request,
                         matrix: dict | None = None) -> list[Suggestion]:
    """The same category at other schools, free at ``target``, nearest campus first."""
    others = [r for r in visible_resources(actor, ResourceFilter(category=resource.category)) if r.id != resource.id]
    matrix = travel_matrix() if matrix is None else matrix
    free = free_slots(actor, [(r, target) for r in others], template)
    return _by_travel([_suggestion(r, i, template.school_id, matrix, False) for r, i in free])


def suggest_alternatives(actor, plan: Plan, limit: int = MAX_SUGGESTIONS,
                         target: rules.Interval | None = None) -> list[Suggestion]:
    """Up to ``limit`` alternatives to ``target`` (the first date of ``plan`` when not given): the same
    resource at another period that day, then the same kind of resource elsewhere, nearest campus first."""
    resource, target = plan.resource, target or plan.occurrences[0]
    bells = _bell_starts(period_school_id(resource, plan.request.school_id))
    nearby = free_slots(actor, [(resource, i) for i in nearby_intervals(target, bells)], plan.request)
    matrix = travel_matrix()
    same = [_suggestion(r, i, plan.request.school_id, matrix, True) for r, i in nearby[:limit]]
    others = other_resources_free(actor, resource, target, plan.request, matrix)
    # Half from each source where both have enough, the rest filled from whichever has more.
    chosen = same[: max(limit - len(others), (limit + 1) // 2)]
    return chosen + others[: limit - len(chosen)]


SERIES_DATES_WITH_ALTERNATIVES = 10
ALTERNATIVES_PER_DATE = 3


def series_alternatives(actor, preview) -> dict:
    """For the first clashing dates of a series preview, a few alternatives each (interval → suggestions):
    what a teacher does with a clash is book that one date elsewhere or at another period."""
    clashing = [check for check in preview.checks if check.state == "conflict"][:SERIES_DATES_WITH_ALTERNATIVES]
    return {check.interval: suggest_alternatives(actor, preview.plan, ALTERNATIVES_PER_DATE, check.interval)
            for check in clashing}


@dataclass
class SearchInput:
    category: str | None
    day: date | None
    start_time: time | None = None
    end_time: time | None = None
    period_number: int | None = None
    students: int | None = None
    quantity: int = 1


def district_period_numbers() -> list[int]:
    """Every period number some school rings (第1节 … 第8节), for the search's period choice."""
    return list(db.session.scalars(select(BellPeriod.number).distinct().order_by(BellPeriod.number)))


def _bells_by_school(school_ids: set[int], number: int) -> dict[int, tuple[time, time]]:
    rows = db.session.scalars(select(BellPeriod).where(BellPeriod.school_id.in_(school_ids),
                                                       BellPeriod.number == number))
    return {p.school_id: (p.start_time, p.end_time) for p in rows}


def _search_pairs(actor, data: SearchInput, resources: list[Resource],
                  errors: dict) -> list[tuple[Resource, rules.Interval]]:
    """Each resource with the interval asked for: a period means that period of the host school
    (the owner's bells; a visiting teacher's lesson, the class's school's), so 第3节 is booked as 第3节
    wherever it is held. Resources whose host school has no such period are left out."""
    if data.day is None:
        errors["date"] = _l("Choose a date.")
        return []
    zone = district_zone()
    if data.period_number is None:
        if data.start_time is None or data.end_time is None or data.end_time <= data.start_time:
            errors["start"] = _l("Give a start and a later end, or a period.")
            return []
        interval = rules.Interval(local_to_utc(data.day, data.start_time, zone), local_to_utc(data.day, data.end_time, zone))
        return [(r, interval) for r in resources]
    if data.period_number not in district_period_numbers():
        errors["period"] = _l("No school of the district has this period.")
        return []
    hosts = {r.id: period_school_id(r, actor.school_id) for r in resources}
    bells = _bells_by_school(set(hosts.values()), data.period_number)
    return [(r, rules.Interval(local_to_utc(data.day, bells[hosts[r.id]][0], zone),
                               local_to_utc(data.day, bells[hosts[r.id]][1], zone)))
            for r in resources if hosts[r.id] in bells]


def search_free(actor, data: SearchInput) -> list[Suggestion]:
    """District-wide: free resources of a category at a date and time, or at a period (第N节) of each
    host school, nearest campus first. Raises ValidationFailed naming bad fields."""
    errors: dict = {}
    if data.category not in {c.value for c in Category}:
        errors["category"] = _l("Choose a category.")
    resources = [] if errors else visible_resources(actor, ResourceFilter(category=data.category))
    pairs = _search_pairs(actor, data, resources, errors)
    if errors:
        raise ValidationFailed(errors)
    template = class_request(actor, actor.school_id, data.students, max(data.quantity, 1))
    matrix = travel_matrix()
    free = free_slots(actor, pairs, template)
    return _by_travel([_suggestion(r, i, actor.school_id, matrix, False, data.period_number) for r, i in free])
