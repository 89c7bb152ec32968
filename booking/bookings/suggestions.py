"""Helping a teacher find a slot: alternatives after a refusal, and the district-wide free search.

Both ask the same question of many (resource, interval) pairs, answered by ``free_slots``
with one query for the bookings of all of them and two for their calendars.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, null, nulls_last, select
from sqlalchemy.orm import joinedload

from booking.accounts.models import Role
from booking.bookings import rules
from booking.bookings.planning import Plan, can_approve, period_school_id
from booking.bookings.calendar_queries import calendars_for
from booking.bookings.queries import check_window, existing_near, resource_snapshot, span_of
from booking.clock import utcnow
from booking.extensions import db
from booking.quotas.services import window_days_by_resource
from booking.i18n import district_zone, local_to_utc
from booking.resources.models import Category, Resource
from booking.resources.services import ResourceFilter, visible_resources, visible_resources_query
from booking.schools.models import BellPeriod, School, TravelTime
from booking.schools.travel import travel_matrix, travel_minutes
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

MAX_SUGGESTIONS = 5
NEARBY_DAYS = 7
# How many other resources of the kind a refusal's alternatives look at (the nearest campuses): the search
# costs the same in a district of 20 labs as in one of 2,000.
MAX_OTHER_RESOURCES = 20


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
    teaching days count as the weekday they follow (their calendars say so). One query reads the bookings
    of every pair (each resource only around its own intervals), four the calendars, one the windows."""
    if not pairs:
        return []
    resources = {resource.id: resource for resource, _ in pairs}
    windows: dict[int, set[rules.Interval]] = {}
    for resource, interval in pairs:
        windows.setdefault(resource.id, set()).add(check_window(resource, interval))
    existing = existing_near(windows)
    calendars = calendars_for(resources.values(), span_of(w for ws in windows.values() for w in ws))
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


def _bell_starts(plan: Plan) -> list[time]:
    """The starts of the periods of the school the booking is held at, as the request has its bells."""
    host = plan.resource.owner_school
    if period_school_id(plan.resource, plan.request.school_id) != host.id:
        host = plan.school or db.session.get(School, plan.request.school_id)
    return [period.start_time for period in host.bell_periods]


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


def _suggestion(resource: Resource, interval: rules.Interval, minutes: int | None, same: bool,
                period_number: int | None = None) -> Suggestion:
    return Suggestion(resource.id, resource.name, resource.owner_school_id, resource.owner_school.name,
                      interval.start, interval.end, minutes, same, period_number)


def _by_travel(suggestions: list[Suggestion]) -> list[Suggestion]:
    return sorted(suggestions, key=lambda s: (s.travel_minutes is None, s.travel_minutes or 0, s.resource_name))


def _minutes_from(school_id: int | None, owner_school_id):
    """Travel minutes from ``school_id`` to a resource's school as SQL: 0 on the same campus, NULL unknown."""
    if school_id is None:
        return null()
    low = case((owner_school_id < school_id, owner_school_id), else_=school_id)
    high = case((owner_school_id < school_id, school_id), else_=owner_school_id)
    entered = select(TravelTime.minutes).where(TravelTime.school_a_id == low, TravelTime.school_b_id == high)
    return case((owner_school_id == school_id, 0), else_=entered.scalar_subquery())


def nearest_others(actor, resource: Resource, school_id: int | None,
                   limit: int = MAX_OTHER_RESOURCES) -> tuple[list[tuple[Resource, int | None]], int | None]:
    """The ``limit`` resources of ``resource``'s category ``actor`` may see, other than it, nearest to the class's
    school first (unknown distances last), each with its travel minutes, and the minutes to ``resource`` itself:
    ONE query with their schools and hours, bounded whatever the size of the district."""
    minutes = _minutes_from(school_id, Resource.owner_school_id).label("minutes")
    loads = (joinedload(Resource.owner_school), joinedload(Resource.opening_hours))
    query = (visible_resources_query(actor, ResourceFilter(category=resource.category), loads).add_columns(minutes)
             # By the label, so the travel lookup runs once per row, not again for the order.
             .order_by(None).order_by(Resource.id != resource.id, nulls_last(minutes), Resource.name,
                                      Resource.id).limit(limit + 1))
    found = sorted(((row[0], row[1]) for row in db.session.execute(query).unique()),  # (the hours' join reorders)
                   key=lambda pair: (pair[1] is None, pair[1] or 0, pair[0].name, pair[0].id))
    others = [(r, m) for r, m in found if r.id != resource.id][:limit]
    own = [m for r, m in found if r.id == resource.id]
    if own:
        return others, own[0]
    # ``resource`` is not among those ``actor`` may list (an own-school room of a school they manage, archived).
    return others, None if school_id is None else travel_minutes(school_id, resource.owner_school_id)


@dataclass
class Alternatives:
    """What every alternative to one refused booking shares, read once: the bells of the resource's host
    school, the nearest other resources of its kind, and the minutes to the resource itself."""

    bells: list[time]
    others: list[tuple[Resource, int | None]]
    own_minutes: int | None


def alternatives_for(actor, plan: Plan) -> Alternatives:
    resource, school_id = plan.resource, plan.request.school_id
    others, own = nearest_others(actor, resource, school_id)
    return Alternatives(_bell_starts(plan), others, own)


def _pairs(plan: Plan, found: Alternatives, target: rules.Interval) -> list[tuple[Resource, rules.Interval]]:
    return ([(plan.resource, i) for i in nearby_intervals(target, found.bells)]
            + [(other, target) for other, _ in found.others])


def _pick(plan: Plan, found: Alternatives, target: rules.Interval, free: set, limit: int) -> list[Suggestion]:
    """Half from the same resource at other times, half from the nearest others, the rest filled from
    whichever has more."""
    same = [_suggestion(plan.resource, i, found.own_minutes, True) for r, i in _pairs(plan, found, target)
            if r.id == plan.resource.id and (r.id, i) in free][:limit]
    others = _by_travel([_suggestion(r, target, minutes, False) for r, minutes in found.others
                         if (r.id, target) in free])
    chosen = same[: max(limit - len(others), (limit + 1) // 2)]
    return chosen + others[: limit - len(chosen)]


def _free_keys(actor, plan: Plan, pairs: list[tuple[Resource, rules.Interval]]) -> set:
    return {(r.id, i) for r, i in free_slots(actor, pairs, plan.request)}


def suggest_alternatives(actor, plan: Plan, limit: int = MAX_SUGGESTIONS,
                         target: rules.Interval | None = None) -> list[Suggestion]:
    """Up to ``limit`` alternatives to ``target`` (the first date of ``plan`` when not given): the same
    resource at another period that day or the same time on the next days, then the same kind of resource
    at the ``MAX_OTHER_RESOURCES`` nearest campuses, nearest first. One ``free_slots`` call for all of them."""
    target = target or plan.occurrences[0]
    found = alternatives_for(actor, plan)
    pairs = _pairs(plan, found, target)
    return _pick(plan, found, target, _free_keys(actor, plan, pairs), limit)


SERIES_DATES_WITH_ALTERNATIVES = 10
ALTERNATIVES_PER_DATE = 3


def series_alternatives(actor, preview) -> dict:
    """For the first clashing dates of a series preview, a few alternatives each (interval → suggestions):
    what a teacher does with a clash is book that one date elsewhere or at another period."""
    clashing = [check.interval for check in preview.checks if check.state == "conflict"][:SERIES_DATES_WITH_ALTERNATIVES]
    if not clashing:
        return {}
    plan = preview.plan
    found = alternatives_for(actor, plan)  # read once for every date
    free = _free_keys(actor, plan, [pair for target in clashing for pair in _pairs(plan, found, target)])
    return {target: _pick(plan, found, target, free, ALTERNATIVES_PER_DATE) for target in clashing}


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
    return _by_travel([_suggestion(r, i, _matrix_minutes(actor.school_id, r, matrix), False, data.period_number)
                       for r, i in free])


def _matrix_minutes(school_id: int | None, resource: Resource, matrix: dict) -> int | None:
    return None if school_id is None else travel_minutes(school_id, resource.owner_school_id, matrix)
