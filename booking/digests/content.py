"""What a digest is made of, and which days it looks at. Pure code: no database, no request.

A digest is a list of sections from the providers (teacher, school admin, coordinator …).
Each section is news (something happened or is coming) or context (figures that explain the
news, such as the equity highlights). A digest without news is not sent: nobody gets an
empty digest, and nobody gets a digest of context alone.

Windows. The digest of date D is cut at its scheduled instant (D at DIGEST_TIME). A daily
digest looks back at D−1 ("yesterday") and ahead at D+1 ("tomorrow"); a weekly one, sent on
Sundays, at the seven days before D and the seven after. "Changed since the last digest"
means changed after the previous digest's cut and up to this one's, so a digest rendered late
(catch-up) says the same as it would have on time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from booking.digests.models import DigestKind

WEEKLY_DAY = 6  # Sunday: the weekly digest closes the week and opens the next
DAYS = {DigestKind.DAILY: 1, DigestKind.WEEKLY: 7}
# "Changed since the last digest" never reaches back further than this (a user who turns
# digests back on after months gets the last week, not the whole history).
CHANGES_LOOKBACK = timedelta(days=7)


@dataclass(frozen=True)
class SectionTable:
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]  # right-aligned columns


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    lines: list[str] = field(default_factory=list)
    table: SectionTable | None = None
    more: str = ""  # "and 12 more", when the table was cut short
    link: tuple[str, str] | None = None  # (label, absolute URL)
    news: bool = True


@dataclass(frozen=True)
class DigestWindow:
    digest_date: date
    kind: DigestKind
    cut: datetime  # aware UTC: the digest's scheduled instant
    changes_since: datetime  # aware UTC: the previous digest's cut (or the look-back)

    @property
    def days(self) -> int:
        return DAYS[self.kind]

    @property
    def past(self) -> tuple[date, date]:
        return self.digest_date - timedelta(days=self.days), self.digest_date - timedelta(days=1)

    @property
    def ahead(self) -> tuple[date, date]:
        return self.digest_date + timedelta(days=1), self.digest_date + timedelta(days=self.days)


def kinds_on(digest_date: date) -> set[DigestKind]:
    """Which digests go out on ``digest_date``: daily ones every day, weekly ones on Sundays."""
    return {DigestKind.DAILY, DigestKind.WEEKLY} if digest_date.weekday() == WEEKLY_DAY else {DigestKind.DAILY}


def changes_since(previous_cut: datetime | None, cut: datetime, kind: DigestKind) -> datetime:
    """Where "changed since the last digest" starts for a digest cut at ``cut``."""
    if previous_cut is not None and previous_cut >= cut - CHANGES_LOOKBACK:
        return min(previous_cut, cut)
    return cut - timedelta(days=DAYS[kind])


def has_news(sections: list[Section]) -> bool:
    return any(section.news for section in sections)


def cut_short(rows: list, limit: int) -> tuple[list, int]:
    """The first ``limit`` rows and how many were left out."""
    return rows[:limit], max(0, len(rows) - limit)
