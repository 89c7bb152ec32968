"""The county's inequality apart from its districts': pure functions, no database and no request.

Points are ``equity.Point`` (enrollment P_i, hours T_i; X_i = T_i / P_i), grouped by district g.
μ = Σ T / Σ P is the county's level, μ_g a district's, P_g its students.

- Theil index T (enrollment-weighted): T = Σ_i (P_i / P)(X_i / μ) ln(X_i / μ), a school without hours
  adding 0 (x ln x → 0). 0 when every school has the same level.
- Decomposition into districts, exact: T = T_between + T_within with
  T_between = Σ_g (P_g / P)(μ_g / μ) ln(μ_g / μ) (as if each school had its district's level) and
  T_within = Σ_g (P_g μ_g / (P μ)) T_g (each district's own Theil, weighted by its share of the hours).
- The schools that pull the county over its mark: where the county's weighted CV is above the stage's
  mark, the schools without which it would be lower (or undefined: the others all without hours), the
  lowest CV without them first, each with its share of the weighted variance. In a county where a few
  schools receive much and many little, those are the many: a school far above the level carries much of
  the variance but raises the mean too, and the county's CV without it is higher (a new user's walk,
  2026-12-06, found 13 of 15 schools listed that way under the earlier rule, one standard deviation away).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import log, sqrt

from booking.reports.equity import Point, district_level, weighted_cv


def _term(weight: float, ratio: float) -> float:
    return weight * ratio * log(ratio) if ratio > 0 else 0.0


def theil(points: list[Point]) -> float | None:
    level = district_level(points)
    if not level:
        return None
    enrollment = sum(p.enrollment for p in points)
    return sum(_term(p.enrollment / enrollment, p.per_student / level) for p in points)


@dataclass(frozen=True)
class TheilParts:
    total: float
    between: float
    within: float
    within_by_group: dict  # group → its weighted part of ``within``

    @property
    def between_share(self) -> float | None:
        return self.between / self.total if self.total else None


def theil_decomposition(groups: dict) -> TheilParts | None:
    """``groups``: group key → its points (schools with students). None where the county has no level."""
    points = [point for members in groups.values() for point in members]
    level = district_level(points)
    if not level:
        return None
    enrollment = sum(p.enrollment for p in points)
    hours = level * enrollment
    between, within_by_group = 0.0, {}
    for key, members in groups.items():
        group_students = sum(p.enrollment for p in members)
        group_level = district_level(members)
        if not group_students or group_level is None:
            continue
        between += _term(group_students / enrollment, group_level / level)
        group_theil = theil(members)
        within_by_group[key] = group_level * group_students / hours * group_theil if group_theil else 0.0
    within = sum(within_by_group.values())
    return TheilParts(between + within, between, within, within_by_group)


@dataclass(frozen=True)
class Pull:
    key: object
    point: Point
    variance_share: float  # of the county's weighted variance
    cv_without: float | None


def _cv_without(point: Point, enrollment: int, total: float, spread: float, level: float) -> float | None:
    """The weighted CV of the county without ``point``, from the county's sums (no pass over the others):
    with μ' the others' level, Σ_others P_i (X_i − μ')² = Σ_others P_i (X_i − μ)² − P' (μ' − μ)²."""
    others = enrollment - point.enrollment
    if others <= 0:
        return None
    others_level = (total - point.total) / others
    if not others_level:
        return None
    squares = spread - point.enrollment * (point.per_student - level) ** 2 - others * (others_level - level) ** 2
    return sqrt(max(0.0, squares) / others) / others_level


def pulling_schools(members: list[tuple[object, Point]], threshold: float | None) -> list[Pull]:
    """The schools that pull the county's weighted CV over ``threshold`` (see the module's docstring).
    Linear in the schools: each one's CV without it comes from the county's sums."""
    # cv_without None (the others have no hours, so no level): no school is left unequal without it.
    points = [point for _key, point in members]
    cv = weighted_cv(points)
    if cv is None or threshold is None or cv <= threshold:
        return []
    level = district_level(points)
    enrollment = sum(p.enrollment for p in points)
    total = sum(p.total for p in points)
    contributions = [(key, point, point.enrollment * (point.per_student - level) ** 2) for key, point in members]
    spread = sum(contribution for _key, _point, contribution in contributions)  # P × the weighted variance
    pulls = [Pull(key, point, contribution / spread, _cv_without(point, enrollment, total, spread, level))
             for key, point, contribution in contributions]
    pulls = [pull for pull in pulls if pull.cv_without is None or pull.cv_without < cv]
    return sorted(pulls, key=lambda pull: (pull.cv_without is not None, pull.cv_without or 0.0, -pull.variance_share))
