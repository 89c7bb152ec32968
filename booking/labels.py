"""Human names for stored values, translated at render time."""
from __future__ import annotations

from booking.accounts.models import Role
from booking.resources.models import Category, ResourceKind, Sharing
from booking.schools.models import Stage
from booking.texts import lazy_gettext as _l

LABELS = {
    Role.TEACHER: _l("Teacher"),
    Role.SCHOOL_ADMIN: _l("School admin"),
    Role.COORDINATOR: _l("District coordinator"),
    Stage.KINDERGARTEN: _l("Kindergarten"),
    Stage.PRIMARY: _l("Primary school"),
    Stage.JUNIOR: _l("Junior secondary school"),
    Stage.NINE_YEAR: _l("Nine-year school"),
    ResourceKind.FACILITY: _l("Facility"),
    ResourceKind.EQUIPMENT: _l("Equipment"),
    ResourceKind.TEACHER: _l("Visiting teacher"),
    Category.GYM: _l("Gym"),
    Category.SPORTS_FIELD: _l("Sports field"),
    Category.LAB: _l("Laboratory"),
    Category.LIBRARY: _l("Library"),
    Category.MUSIC_ROOM: _l("Music room"),
    Category.ART_ROOM: _l("Art room"),
    Category.COMPUTER_ROOM: _l("Computer room"),
    Category.MULTIMEDIA_ROOM: _l("Multimedia classroom"),
    Category.OFF_CAMPUS_BASE: _l("Off-campus base"),
    Category.EQUIPMENT_KIT: _l("Equipment kit"),
    Category.VISITING_TEACHER: _l("Visiting teacher"),
    Sharing.DISTRICT: _l("Shared with the district"),
    Sharing.OWN_SCHOOL: _l("Own school only"),
    Sharing.COUNTY: _l("Shared with the county"),
}

SUBJECTS = {
    "physics": _l("Physics"),
    "chemistry": _l("Chemistry"),
    "biology": _l("Biology"),
    "science": _l("Science"),
    "computer": _l("Computer science"),
    "music": _l("Music"),
    "pe": _l("Physical education"),
    "art": _l("Art"),
}

WEEKDAYS = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday")]


# StrEnum members equal their values, so Role.TEACHER and ResourceKind.TEACHER ("teacher") share one
# LABELS key; the role's own name is kept here.
ROLE_TEACHER_LABEL = _l("Teacher")


COUNTY_COORDINATOR_LABEL = _l("County coordinator")


def role_label(user) -> str:
    """A person's role as people say it: a coordinator over no district (and no area) coordinates the county."""
    from booking.permissions import is_county_coordinator  # the one rule of who that is; permissions reads models

    return COUNTY_COORDINATOR_LABEL if is_county_coordinator(user) else label(user.role)


def label(value) -> str:
    """The translated name of an enum member or subject code; the raw value when unknown."""
    if value is None:
        return ""
    if isinstance(value, Role) and value == Role.TEACHER:
        return ROLE_TEACHER_LABEL
    if value in LABELS:
        return LABELS[value]
    return SUBJECTS.get(str(value), str(value))


def period_label(number: int) -> str:
    return _l("Period %(n)d", n=number)


def choices(enum_cls) -> list[tuple[str, str]]:
    return [(member.value, label(member)) for member in enum_cls]


def weekly_hours(hours) -> list[tuple[str, str]]:
    """Weekly hours (rows with ``weekday``, ``opens``, ``closes``) as people read them: a run of consecutive days
    with the same times on one line, e.g. ("Monday to Friday", "08:00–12:00, 14:00–17:00"), instead of the form's
    shorthand "1-5 08:00-12:00,14:00-17:00"."""
    times_by_day: dict[int, tuple[str, ...]] = {}
    for row in sorted(hours, key=lambda row: (row.weekday, row.opens)):
        times_by_day[row.weekday] = times_by_day.get(row.weekday, ()) + (f"{row.opens:%H:%M}–{row.closes:%H:%M}",)
    runs: list[list] = []  # [first day, last day, times]
    for day, times in sorted(times_by_day.items()):
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == times:
            runs[-1][1] = day
        else:
            runs.append([day, day, times])
    separator = str(_l(", "))
    return [(str(WEEKDAYS[first]) if first == last else
             str(_l("%(first)s to %(last)s", first=WEEKDAYS[first], last=WEEKDAYS[last])), separator.join(times))
            for first, last, times in runs]
