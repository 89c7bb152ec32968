"""Travel minutes between campuses: the matrix as stored (once per unordered pair, smaller id first), lookups,
and the all-or-nothing, compare-and-set write of the pages and the API."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from booking import parsing
from booking.audit.services import record
from booking.extensions import db
from booking.schools import rules
from booking.schools.models import School, TravelTime
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed


def ordered_pair(a_id: int, b_id: int) -> tuple[int, int]:
    """Travel times are stored once per unordered pair, smaller id first."""
    return (a_id, b_id) if a_id < b_id else (b_id, a_id)


def travel_matrix() -> dict[tuple[int, int], int]:
    """Minutes between every stored pair, keyed by ``ordered_pair``."""
    rows = db.session.execute(select(TravelTime.school_a_id, TravelTime.school_b_id, TravelTime.minutes))
    return {(a, b): minutes for a, b, minutes in rows}


def travel_minutes(a_id: int, b_id: int, matrix: dict | None = None) -> int | None:
    """Minutes from school a to school b: 0 for the same campus, None when nobody entered it."""
    if a_id == b_id:
        return 0
    if matrix is not None:
        return matrix.get(ordered_pair(a_id, b_id))
    a, b = ordered_pair(a_id, b_id)
    return db.session.scalar(
        select(TravelTime.minutes).where(TravelTime.school_a_id == a, TravelTime.school_b_id == b)
    )


def school_pairs(schools: list[School], around: School | None = None) -> list[tuple[School, School]]:
    """Every unordered pair of ``schools`` once (upper triangle), or only the pairs with ``around``."""
    if around is not None:
        return [(around, other) for other in schools if other.id != around.id]
    return [(a, b) for i, a in enumerate(schools) for b in schools[i + 1:]]


def _parse_travel_times(minutes_by_pair: dict, schools: dict[int, School]) -> tuple[dict, dict]:
    errors, minutes_by_key = {}, {}
    for (a_id, b_id), raw in minutes_by_pair.items():
        key = rules.travel_key(a_id, b_id)
        if a_id == b_id or a_id not in schools or b_id not in schools:
            errors[key] = _l("Travel times are entered between two different, existing schools.")
            continue
        minutes = parsing.parse_whole_number(raw, rules.MAX_TRAVEL_MINUTES)
        if minutes is None:
            errors[key] = _l("Enter the travel time between %(a)s and %(b)s in whole minutes, from 0 to %(max)d.",
                             a=schools[a_id].name, b=schools[b_id].name, max=rules.MAX_TRAVEL_MINUTES)
        else:
            minutes_by_key[ordered_pair(a_id, b_id)] = minutes
    return errors, minutes_by_key


class TravelChanged(Exception):
    """Some pairs' stored minutes are not those the caller read (``current``: pair → minutes now, None for
    none): nothing was saved."""

    def __init__(self, current: dict[tuple[int, int], int | None]):
        super().__init__(f"travel times changed meanwhile: {sorted(current)}")
        self.current = current


def _stored_travel(lock: bool) -> dict[tuple[int, int], TravelTime]:
    query = select(TravelTime)
    return {(t.school_a_id, t.school_b_id): t for t in db.session.scalars(query.with_for_update() if lock else query)}


def _write_travel(minutes_by_key: dict, stored: dict) -> dict[str, int]:
    changed = {}
    for (a_id, b_id), minutes in minutes_by_key.items():
        row = stored.get((a_id, b_id))
        if row is None:
            db.session.add(TravelTime(school_a_id=a_id, school_b_id=b_id, minutes=minutes))
        elif row.minutes == minutes:
            continue
        else:
            row.minutes = minutes
        changed[f"{a_id}-{b_id}"] = minutes
    db.session.flush()
    return changed


def _compare_and_write(minutes_by_key: dict, previous: dict) -> dict[str, int]:
    """Write only when every pair in ``previous`` still holds the minutes read (rows locked until the commit;
    a pair someone else stored meanwhile meets its key)."""
    stored = _stored_travel(lock=True)
    wanted = {ordered_pair(*pair): minutes for pair, minutes in previous.items()}
    current = {pair: stored[pair].minutes if pair in stored else None for pair in wanted}
    stale = {pair: minutes for pair, minutes in current.items() if minutes != wanted[pair]}
    if stale:
        raise TravelChanged(stale)
    try:
        with db.session.begin_nested():
            return _write_travel(minutes_by_key, stored)
    except IntegrityError:
        raise TravelChanged({pair: travel_minutes(*pair) for pair in wanted if current[pair] is None}) from None


def set_travel_times(minutes_by_pair: dict[tuple[int, int], object], actor,
                     previous: dict[tuple[int, int], int | None] | None = None) -> int:
    """Save minutes (ints or strings) for each pair of school ids, all or nothing; returns how many changed.

    With ``previous`` (pair → the minutes the caller read, None for none) it is a compare-and-set: raises
    TravelChanged, saving nothing, when any of them is no longer what is stored."""
    ids = {school_id for pair in minutes_by_pair for school_id in pair}
    schools = {s.id: s for s in db.session.scalars(select(School).where(School.id.in_(ids)))}
    errors, minutes_by_key = _parse_travel_times(minutes_by_pair, schools)
    if errors:
        raise ValidationFailed(errors)
    if previous is None:
        changed = _write_travel(minutes_by_key, _stored_travel(lock=False))
    else:
        changed = _compare_and_write(minutes_by_key, previous)
    if changed:
        record(actor, "travel.update", ("TravelTime", None), {"minutes": changed})
    db.session.flush()
    return len(changed)
