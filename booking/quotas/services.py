"""Priority booking windows and term quotas: reading the settings for a booking, counting a school's
hours under the quota's lock, and what the pages say beforehand (the coordinators' changes: ``settings``).
Services flush; the caller's unit of work commits.

What counts against a quota: every active occurrence (confirmed, and pending requests not yet past their
start, as they hold the slot while they wait) of a resource in the quota's scope, booked for a class of the
school, whose local start date lies in the term. Cancelled, rejected, expired and released bookings do not
count. A school's use of its own resources is counted apart, against ``owner_hours``.

The guarantee: the count and the insert happen under one lock per (quota, school), so racing requests
never together push a school over its quota. SQLite: the booking transaction's BEGIN IMMEDIATE already
serialises every writer. PostgreSQL: ``pg_advisory_xact_lock(quota id, school id)``, taken (in quota order,
so two bookings never wait for each other) before counting and held until the unit of work commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Iterable

from sqlalchemy import Integer, String, and_, cast, func, null, or_, select, union_all

from booking.accounts.models import Role
from booking.bookings import rules
from booking.bookings.models import Booking, BookingStatus
from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_to_utc
from booking.labels import label
from booking.quotas.models import BookingWindow, QuotaException, TermQuota, scope_key
from booking.resources.models import Category, Resource
from booking.schools.models import School, Term
from booking.schools.services import county_district_ids


# --- windows -----------------------------------------------------------------------------------

def _district_id(resource: Resource) -> int:
    return resource.owner_school.district_id


def _window_keys(resource: Resource | None = None, category: str | None = None) -> list[str]:
    """The scope keys of the windows that apply, the most specific first."""
    keys = [scope_key(None, None)]
    if category or resource is not None:
        keys.insert(0, scope_key(None, category or resource.category.value))
    if resource is not None:
        keys.insert(0, scope_key(resource.id, None))
    return keys


def window_rows(district_id: int, resource: Resource | None = None, category: str | None = None) -> list[BookingWindow]:
    keys = _window_keys(resource, category)
    rows = {w.scope_key: w for w in db.session.scalars(
        select(BookingWindow).where(BookingWindow.district_id == district_id, BookingWindow.scope_key.in_(keys)))}
    return [rows[k] for k in keys if k in rows]


def _setting(row: BookingWindow | None) -> rules.WindowSetting | None:
    return None if row is None else rules.WindowSetting(row.weak_days, row.other_days, row.owner_days)


def resolved_window(resource: Resource) -> rules.WindowSetting:
    """The resource's window with each empty field taken from its category's, then the district's."""
    return rules.resolve_window(_setting(row) for row in window_rows(_district_id(resource), resource))


def window_days_for(resource: Resource, school: School | None, window: rules.WindowSetting | None = None) -> int | None:
    """Days ahead a class of ``school`` may book ``resource`` (None: no priority window); ``window``: the
    resource's resolved window when the caller has read it (``fair_shares_for``)."""
    if school is None:
        return None
    window = resolved_window(resource) if window is None else window
    return rules.window_days(window, school.is_weak, school.id == resource.owner_school_id)


@dataclass(frozen=True)
class FairShares:
    """What a booking of one resource is held to, read in ONE query (``fair_shares_for``): its priority window
    resolved (its own, then its category's, then the district's) and the ids of the term quotas it counts against."""

    window: rules.WindowSetting
    quota_ids: tuple[int, ...]


def fair_shares_for(resource: Resource) -> FairShares:
    district_id, keys = _district_id(resource), _window_keys(resource)
    windows = select(BookingWindow.scope_key, BookingWindow.weak_days, BookingWindow.other_days,
                     BookingWindow.owner_days, cast(null(), Integer).label("quota_id")).where(
        BookingWindow.district_id == district_id, BookingWindow.scope_key.in_(keys))
    quotas = select(cast(null(), String), cast(null(), Integer), cast(null(), Integer), cast(null(), Integer),
                    TermQuota.id).where(_quota_scope(resource))
    rows = db.session.execute(union_all(windows, quotas)).all()
    by_key = {row.scope_key: row for row in rows if row.quota_id is None}
    return FairShares(rules.resolve_window(_setting(by_key[key]) for key in keys if key in by_key),
                      tuple(sorted(row.quota_id for row in rows if row.quota_id is not None)))


def window_days_by_resource(resources: Iterable[Resource], school: School | None) -> dict[int, int | None]:
    """``window_days_for`` of many resources at once (one query for every window of the district)."""
    resources = list(resources)
    if school is None or not resources:
        return {r.id: None for r in resources}
    rows = {(w.district_id, w.scope_key): w for w in db.session.scalars(select(BookingWindow).where(
        BookingWindow.district_id.in_({_district_id(r) for r in resources})))}
    found = {}
    for r in resources:
        keys = (scope_key(r.id, None), scope_key(None, r.category.value), scope_key(None, None))
        setting = rules.resolve_window(_setting(rows.get((_district_id(r), key))) for key in keys)
        found[r.id] = rules.window_days(setting, school.is_weak, school.id == r.owner_school_id)
    return found


@dataclass
class WindowNotice:
    """What the resource page and the booking form say before anyone tries."""

    days: int
    last_day: date  # the last date a class of the school may book today

    def opens_on(self, day: date) -> date:
        return rules.opens_on(day, self.days)


def window_notice(resource: Resource, school: School | None, today: date) -> WindowNotice | None:
    days = window_days_for(resource, school)
    return None if days is None else WindowNotice(days, rules.last_open_day(today, days))


# --- quotas ------------------------------------------------------------------------------------

def _quota_scope(resource: Resource):
    return and_(TermQuota.district_id == _district_id(resource),
                or_(TermQuota.resource_id == resource.id, TermQuota.category == resource.category.value))


def quotas_for(resource: Resource, ids: Iterable[int] | None = None) -> list[TermQuota]:
    """The quotas a booking of ``resource`` counts against: its own, and its category's (``ids``: those of
    them read already, e.g. by ``fair_shares_for``; none: no query)."""
    if ids is not None:
        ids = list(ids)
        if not ids:
            return []
    query = select(TermQuota).where(_quota_scope(resource))
    if ids is not None:
        query = query.where(TermQuota.id.in_(ids))
    return list(db.session.scalars(query.order_by(TermQuota.id)))


def _term_bounds(term: Term):
    zone = district_zone()
    return local_to_utc(term.start_date, time(0), zone), local_to_utc(term.end_date + timedelta(days=1), time(0), zone)


def used_minutes(quota: TermQuota, school_id: int, own_use: bool, term: Term, exclude_ids: Iterable[int] = ()) -> int:
    """The school's counted minutes in ``term`` against ``quota`` (own use or use of other schools' resources)."""
    start, end = _term_bounds(term)
    scope = (Resource.id == quota.resource_id) if quota.resource_id is not None else and_(
        Resource.category == Category(quota.category), School.district_id == quota.district_id)
    owner = Resource.owner_school_id == school_id if own_use else Resource.owner_school_id != school_id
    query = (select(Booking.starts_at, Booking.ends_at)
             .join(Resource, Booking.resource_id == Resource.id)
             .join(School, Resource.owner_school_id == School.id)
             .where(Booking.school_id == school_id, scope, owner,
                    Booking.starts_at >= start, Booking.starts_at < end,
                    or_(Booking.status == BookingStatus.CONFIRMED,
                        and_(Booking.status == BookingStatus.PENDING, Booking.starts_at > utcnow()))))
    excluded = list(exclude_ids)
    if excluded:
        query = query.where(Booking.id.not_in(excluded))
    return sum(int((row.ends_at - row.starts_at).total_seconds() // 60) for row in db.session.execute(query))


def extra_hours(quota_id: int, school_id: int, term_id: int) -> float:
    return float(db.session.scalar(select(func.coalesce(func.sum(QuotaException.extra_hours), 0.0)).where(
        QuotaException.quota_id == quota_id, QuotaException.school_id == school_id,
        QuotaException.term_id == term_id)) or 0.0)


def limit_minutes(quota: TermQuota, school: School, own_use: bool, term: Term) -> int | None:
    extra = extra_hours(quota.id, school.id, term.id)
    if own_use:
        return rules.quota_limit_minutes(quota.owner_hours, None, school.enrollment, extra)
    return rules.quota_limit_minutes(quota.hours, quota.hours_per_100, school.enrollment, extra)


def scope_label(quota: TermQuota) -> str:
    return quota.resource.name if quota.resource is not None else str(label(Category(quota.category)))


def terms_between(district_id: int, first: date, last: date) -> list[Term]:
    return list(db.session.scalars(select(Term).where(
        Term.district_id.in_(county_district_ids(district_id)), Term.start_date <= last, Term.end_date >= first
    ).order_by(Term.start_date)))


def quota_states(resource: Resource, school: School, days: Iterable[date], exclude_ids: Iterable[int] = (),
                 quotas: list[TermQuota] | None = None) -> list[rules.QuotaState]:
    """Each quota a booking of ``resource`` for ``school`` on ``days`` counts against, per term, as counted now
    (``quotas``: ``quotas_for(resource)`` when the caller has read them already)."""
    days = sorted(set(days))
    quotas = quotas_for(resource) if quotas is None else quotas
    if not days or not quotas:
        return []
    own_use = school.id == resource.owner_school_id
    terms = terms_between(_district_id(resource), days[0], days[-1])
    states = []
    for quota in quotas:
        for term in terms:
            limit = limit_minutes(quota, school, own_use, term)
            if limit is None:
                continue
            states.append(rules.QuotaState(quota.id, scope_label(quota), term.name, term.start_date, term.end_date,
                                           limit, used_minutes(quota, school.id, own_use, term, exclude_ids), own_use))
    return states


def lock_quotas(resource: Resource, school_id: int, quotas: list[TermQuota] | None = None) -> None:
    """Serialise every booking that counts against the same (quota, school). Inside ``booking_write`` only.

    SQLite: nothing to do, BEGIN IMMEDIATE holds the database's write lock already."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for quota in quotas_for(resource) if quotas is None else quotas:
        db.session.execute(select(func.pg_advisory_xact_lock(quota.id, school_id)))


def quota_refusals(resource: Resource, school_id: int, intervals: Iterable[rules.Interval],
                   exclude_ids: Iterable[int] = (), lock: bool = True,
                   quota_ids: Iterable[int] | None = None) -> list[rules.Refusal]:
    """Lock, count and judge: the refusals of booking ``intervals`` for ``school_id``. Call under ``booking_write``
    (``lock=False`` only for a preview that writes nothing; ``quota_ids``: ``fair_shares_for``'s, read already)."""
    intervals = list(intervals)
    school = db.session.get(School, school_id)
    if not intervals or school is None:
        return []
    quotas = quotas_for(resource, quota_ids)  # read once: the lock and the count take the same rows
    if not quotas:
        return []
    if lock:
        lock_quotas(resource, school_id, quotas)
    zone = district_zone()
    states = quota_states(resource, school, (i.start.astimezone(zone).date() for i in intervals), exclude_ids,
                          quotas)
    return rules.quota_refusals(states, intervals, zone)


@dataclass
class QuotaUsage:
    """"本学期已用 12 / 20 小时" for the booking form."""

    quota: TermQuota
    term: Term
    used_minutes: int
    limit_minutes: int
    own_use: bool

    @property
    def scope(self) -> str:
        return scope_label(self.quota)

    @property
    def used_hours(self) -> str:
        return rules.hours_text(self.used_minutes)

    @property
    def limit_hours(self) -> str:
        return rules.hours_text(self.limit_minutes)


def usage_on(resource: Resource, school: School | None, day: date) -> list[QuotaUsage]:
    """The school's standing against each quota of ``resource`` in the term of ``day`` (or the next term)."""
    if school is None:
        return []
    quotas = quotas_for(resource)
    if not quotas:
        return []
    term = db.session.scalar(select(Term).where(Term.district_id.in_(county_district_ids(_district_id(resource))),
                                               Term.end_date >= day)
                             .order_by(Term.start_date).limit(1))
    if term is None:
        return []
    own_use = school.id == resource.owner_school_id
    usages = []
    for quota in quotas:
        limit = limit_minutes(quota, school, own_use, term)
        if limit is not None:
            usages.append(QuotaUsage(quota, term, used_minutes(quota, school.id, own_use, term), limit, own_use))
    return usages


# --- what the pages say before anyone tries ---------------------------------------------------------

@dataclass
class FairShareNotice:
    window: WindowNotice | None
    usages: list[QuotaUsage]
    later_day: date | None = None  # a date shown that the window does not reach yet

    @property
    def later_day_opens(self) -> date | None:
        return self.window.opens_on(self.later_day) if self.window and self.later_day else None


def notice_for(actor, resource: Resource, today: date, days: Iterable[date] = ()) -> FairShareNotice | None:
    """For the booker's own school (coordinators book outside the windows and choose the school per booking):
    its window with the first of ``days`` past it, and its standing against the resource's term quotas."""
    school = actor.school if actor.is_authenticated and actor.role != Role.COORDINATOR else None
    if school is None:
        return None
    window = window_notice(resource, school, today)
    later = next((day for day in sorted(d for d in days if d) if window and day > window.last_day), None)
    usages = usage_on(resource, school, today)
    if window is None and not usages:
        return None
    return FairShareNotice(window, usages, later)
