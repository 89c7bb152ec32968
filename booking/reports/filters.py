"""What a report covers (dates, category, stage, school) and who is looking at it.

The dashboard's form and the API parse their input differently (the form forgives blanks,
the API parses strictly) but both end in ``make_filter``, so the same mistake gets the same
message and the same numbers come out.

Scopes. ``category`` always narrows the resources. ``stage`` and ``school`` name schools, and
which school depends on the figure:
- utilisation, the weekday × period heatmap and the weekly trend look at *facilities*: the
  owner school's stage, the owner school;
- access, equity and sharing flows look at *students*: the booking school's stage; the school
  narrows the flows to that school's lending and borrowing. Equity always compares all schools
  of a stage, so the school filter does not change it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from booking.clock import utcnow
from booking.extensions import db
from booking.i18n import district_zone, local_today
from booking.permissions import may_choose_district, named_school_ids, viewed_district_id
from booking.reports.timeframe import ReportRange
from booking.resources.models import Category
from booking.schools.models import District, School, Stage, Term
from booking.parsing import parse_day, parse_whole_number
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID, ValidationFailed, is_supported_day, out_of_range_day_message

MAX_DAYS = 400  # a school year and a little more
FALLBACK_DAYS = 28


@dataclass(frozen=True)
class Viewer:
    """County coordinators see every school by name; a district's coordinator, an area coordinator their
    schools, a school admin their own school (``permissions.named_school_ids``), and all of them the
    aggregates of their own district only (``permissions.viewed_district_id``); a county coordinator
    chooses the district (``district`` of a filter; none: every district)."""

    user_id: int
    school_id: int | None
    coordinator: bool  # county-wide: every school by name
    named_school_ids: frozenset[int] = frozenset()
    district_id: int | None = None  # the district whose figures are shown; None: every district
    chooses_district: bool = False  # may ask for another district (``district_id`` is then None)

    @classmethod
    def of(cls, user) -> "Viewer":
        named = named_school_ids(user)
        return cls(user.id, user.school_id, named is None, named or frozenset(), viewed_district_id(user),
                   may_choose_district(user))

    def may_name(self, school_id: int | None) -> bool:
        return self.coordinator or (school_id is not None and school_id in self.named_school_ids)

    def district(self, chosen: int | None, errors: dict, field: str = "district") -> int | None:
        """The district a report of ``chosen`` covers; a district nobody may ask for (or none) is an error."""
        if chosen is None or chosen == self.district_id:
            return self.district_id
        if not self.chooses_district:
            errors[field] = _l("You can see the figures of your own district only.")
        elif db.session.get(District, chosen) is None:
            errors[field] = _l("Choose a district from the list.")
        return chosen


@dataclass(frozen=True)
class ReportFilter:
    range: ReportRange
    category: Category | None = None
    stage: Stage | None = None
    school_id: int | None = None
    term_id: int | None = None
    now: datetime | None = None  # where delivered ends and planned begins; None: the clock's now
    version: tuple | None = None  # the data version read by ``cache.pinned``: results may come from the cache
    district_id: int | None = None  # only this district's schools and resources; None: every district

    @property
    def cut(self) -> datetime:
        return self.now or utcnow()

    def query_args(self, **extra) -> dict:
        """The filter as URL query arguments (for links, exports and drill-downs)."""
        args = {"start": self.range.first.isoformat(), "end": self.range.last.isoformat(),
                "category": self.category.value if self.category else None,
                "stage": self.stage.value if self.stage else None, "school": self.school_id,
                "district": self.district_id}
        args.update(extra)
        return {key: value for key, value in args.items() if value is not None}


def default_term(today: date) -> Term | None:
    """The term running today; else the last one that ended; else the next one."""
    running = select(Term).where(Term.start_date <= today, Term.end_date >= today)
    ended = select(Term).where(Term.end_date < today).order_by(Term.end_date.desc())
    upcoming = select(Term).where(Term.start_date > today).order_by(Term.start_date)
    for query in (running, ended, upcoming):
        term = db.session.scalar(query.limit(1))
        if term is not None:
            return term
    return None


def default_dates() -> tuple[date, date, int | None]:
    today = local_today()
    term = default_term(today)
    if term is not None:
        return term.start_date, term.end_date, term.id
    return today - timedelta(days=FALLBACK_DAYS - 1), today, None


def make_filter(viewer: Viewer, first: date | None, last: date | None, category: Category | None = None,
                stage: Stage | None = None, school_id: int | None = None, term_id: int | None = None,
                district_id: int | None = None) -> ReportFilter:
    """Check the parsed values together; ValidationFailed names each bad field. ``district_id``: the district
    asked for (None: the viewer's own; every district for a county coordinator)."""
    errors: dict = {}
    district_id = viewer.district(district_id, errors)
    unsupported = {name: out_of_range_day_message() for name, day in (("start", first), ("end", last))
                   if day is not None and not is_supported_day(day)}
    if unsupported:
        errors.update(unsupported)
    elif first is None and last is None and term_id is None:
        first, last, term_id = default_dates()
    elif first is None or last is None:
        errors["start" if first is None else "end"] = _l("Enter both the first and the last day, or choose a term.")
    elif last < first:
        errors["end"] = _l("The last day must not be before the first day.")
    elif (last - first).days + 1 > MAX_DAYS:
        errors["end"] = _l("A report covers at most %(n)d days.", n=MAX_DAYS)
    if school_id is not None:
        errors.update(_school_errors(viewer, school_id, district_id))
    if errors:
        raise ValidationFailed(errors)
    # One "now" for every figure of the report: where delivered ends and planned begins.
    return ReportFilter(ReportRange(first, last, district_zone()), category, stage, school_id, term_id, now=utcnow(),
                        district_id=district_id)


def _school_errors(viewer: Viewer, school_id: int, district_id: int | None) -> dict:
    school = db.session.get(School, school_id)
    if school is None:
        return {"school": _l("Choose a school from the list.")}
    if not viewer.may_name(school_id):
        return {"school": _l("You can see the figures of the schools you manage only.")}
    if district_id is not None and school.district_id != district_id:
        return {"school": _l("Choose a school of the district shown.")}
    return {}


def _enum_or_error(enum_cls, raw: str, field: str, errors: dict, message):
    if not raw:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        errors[field] = message
        return None


def parse_filter(viewer: Viewer, args) -> ReportFilter:
    """The dashboard's filter from query arguments (strings; blanks mean "all" or "default")."""
    errors: dict = {}
    text = {name: (args.get(name) or "").strip()
            for name in ("term", "shown", "start", "end", "category", "stage", "school", "district")}
    category = _enum_or_error(Category, text["category"], "category", errors, _l("Choose a category from the list."))
    stage = _enum_or_error(Stage, text["stage"], "stage", errors, _l("Choose a stage from the list."))
    school_id = _whole_or_error(text["school"], "school", errors, _l("Choose a school from the list."))
    district_id = _whole_or_error(text["district"], "district", errors, _l("Choose a district from the list."))
    first, last, term_id = _dates_from(text, errors)
    if errors:
        raise ValidationFailed(errors)
    return make_filter(viewer, first, last, category, stage, school_id, term_id, district_id)


def _whole_or_error(raw: str, field: str, errors: dict, message) -> int | None:
    if not raw:
        return None
    number = parse_whole_number(raw, MAX_ID)
    if number is None:
        errors[field] = message
    return number


def _shown(raw: str) -> tuple[str, str, str]:
    """The form's ``shown`` field: the term and the dates the form showed ("term|first|last"), or blanks."""
    parts = raw.split("|")
    return tuple(parts) if len(parts) == 3 else ("", "", "")


def _dates_from(text: dict, errors: dict) -> tuple[date | None, date | None, int | None]:
    """The typed first and last day; a chosen term's dates unless other dates were typed beside it
    (the form shows a term's dates in the date inputs, so changing them means a custom range). Dates left as
    the form showed them (``shown``) beside another term chosen there are that term's."""
    first = parse_day(text["start"]) if text["start"] else None
    last = parse_day(text["end"]) if text["end"] else None
    if text["start"] and first is None:
        errors["start"] = _l("Enter the first day as YYYY-MM-DD.")
    if text["end"] and last is None:
        errors["end"] = _l("Enter the last day as YYYY-MM-DD.")
    if not text["term"]:
        return first, last, None
    term_id = parse_whole_number(text["term"], MAX_ID)
    term = db.session.get(Term, term_id) if term_id is not None else None
    if term is None:
        errors["term"] = _l("Choose a term from the list.")
        return None, None, None
    shown_term, shown_start, shown_end = _shown(text.get("shown", ""))
    only_the_term_changed = (text["start"], text["end"]) == (shown_start, shown_end) and text["term"] != shown_term
    if (first is not None and last is not None and (first, last) != (term.start_date, term.end_date)
            and not only_the_term_changed):
        return first, last, None
    errors.pop("start", None), errors.pop("end", None)
    return term.start_date, term.end_date, term.id
