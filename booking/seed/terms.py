"""The demo's calendar: the 2026—2027 school year, national holidays as closures of the county.

2026 dates are the State Council's published arrangement (国务院办公厅通知, 2025-11-04): 中秋节 9/25–27,
国庆节 10/1–7. The 2027 arrangement was not published when this was written, so these are
assumptions from the calendar: 元旦 falls on a Friday (1/1–3); 清明 is Monday 4/5 (4/3–5);
劳动节 keeps the five-day form it has had since 2025 (5/1–5); 端午 (lunar 5/5) is Wednesday
6/9 and is taken as that single day. 春节 (2027-02-06) falls in the winter break, outside both terms.

2026's make-up working days (补班) of the same notice are make-up teaching days: 元旦 1/4 (Sunday), 春节
2/14 and 2/28 (Saturdays), 劳动节 5/9 (Saturday), 国庆节 9/20 (Sunday) and 10/10 (Saturday). Which
weekday's timetable each follows is the district's choice, as its notice to schools would say.
"""
from __future__ import annotations

from datetime import date

from booking.extensions import db
from booking.schools.models import Closure, District, MakeupDay, School, Term

CURRENT_TERM_NAME = "2026—2027学年第一学期"

TERMS = (
    (CURRENT_TERM_NAME, date(2026, 9, 1), date(2027, 1, 22)),
    ("2026—2027学年第二学期", date(2027, 2, 22), date(2027, 7, 9)),
)

NATIONAL_HOLIDAYS = (
    ("中秋节", date(2026, 9, 25), date(2026, 9, 27)),
    ("国庆节", date(2026, 10, 1), date(2026, 10, 7)),
    ("元旦", date(2027, 1, 1), date(2027, 1, 3)),
    ("清明节", date(2027, 4, 3), date(2027, 4, 5)),
    ("劳动节", date(2027, 5, 1), date(2027, 5, 5)),
    ("端午节", date(2027, 6, 9), date(2027, 6, 9)),
)

# (reason, date, the weekday whose timetable it follows: 0 = Monday)
MAKEUP_DAYS = (
    ("元旦补班", date(2026, 1, 4), 4),
    ("春节补班", date(2026, 2, 14), 4),
    ("春节补班", date(2026, 2, 28), 0),
    ("劳动节补班", date(2026, 5, 9), 1),
    ("国庆节补班", date(2026, 9, 20), 4),
    ("国庆节补班", date(2026, 10, 10), 2),
)

# Days one school closes on its own: (school code, reason, first day, last day).
SCHOOL_CLOSURES = (
    ("XT01", "秋季田径运动会（场馆不对外开放）", date(2026, 10, 29), date(2026, 10, 30)),
    ("XT01-04", "电力线路检修停电", date(2026, 12, 3), date(2026, 12, 3)),
    ("LZ01-06", "冬季消防安全演练及校舍检修", date(2027, 1, 8), date(2027, 1, 8)),
)


def create_calendar(district: District, schools: dict[str, School]) -> Term:
    """Both terms, all closures and the make-up days; returns the current term."""
    terms = [Term(district_id=district.id, name=name, start_date=start, end_date=end) for name, start, end in TERMS]
    db.session.add_all(terms)
    for reason, start, end in NATIONAL_HOLIDAYS:
        db.session.add(Closure(district_id=None, school_id=None, start_date=start, end_date=end,
                               reason=reason))
    for code, reason, start, end in SCHOOL_CLOSURES:
        db.session.add(Closure(district_id=district.id, school_id=schools[code].id, start_date=start,
                               end_date=end, reason=reason))
    for reason, day, weekday in MAKEUP_DAYS:
        db.session.add(MakeupDay(district_id=None, school_id=None, day=day, follows_weekday=weekday,
                                 reason=reason))
    return terms[0]


def closed_spans(school_code: str) -> list[tuple[date, date]]:
    """The date spans on which a school is closed, district-wide closures included."""
    spans = [(start, end) for _reason, start, end in NATIONAL_HOLIDAYS]
    spans += [(start, end) for code, _reason, start, end in SCHOOL_CLOSURES if code == school_code]
    return spans
