"""Equity maths for access indicators: pure functions, no database and no request.

Each school contributes a point (P_i, T_i): its enrollment and its total of an indicator
(hours, student-hours …). Its per-student value is X_i = T_i / P_i. Schools without
students are not points: callers report them apart (they cannot be divided by).

- District level: X̄ = Σ T_i / Σ P_i, every student counted once (the supervision method's mean).
- Weighted CV (优质均衡 差异系数): sqrt( Σ (P_i/P) (X_i − X̄)² ) / X̄.
- Unweighted CV: population standard deviation of the X_i over their plain mean; shown beside it.
- Gini, weighted by enrollment: Σ_i Σ_j P_i P_j |X_i − X_j| / (2 P² X̄).
- McLoone index over students: what the students at or below the median received, over what
  they would receive at the median: Σ_{X_i ≤ M} P_i X_i / (M Σ_{X_i ≤ M} P_i).
- Gap: the hours that would bring a school below X̄ up to it: (X̄ − X_i) · P_i.

Every figure is None where it is undefined (no point, or a level of zero).
"""
from __future__ import annotations

from dataclasses import dataclass
from math import sqrt

# The supervision method's pass marks (CV ≤ threshold), by school stage.
# Kindergartens are outside compulsory education, so outside the method: no threshold.
# Nine-year schools hold primary and junior grades; the method counts the two parts apart,
# which needs enrollment and hours per part that bookings do not record. They form their own
# group and are held to the stricter junior mark.
STAGE_THRESHOLDS: dict[str, float | None] = {
    "primary": 0.50,
    "junior": 0.45,
    "nine_year": 0.45,
    "kindergarten": None,
}


@dataclass(frozen=True)
class Point:
    enrollment: int
    total: float

    @property
    def per_student(self) -> float:
        return self.total / self.enrollment


@dataclass(frozen=True)
class Dispersion:
    schools: int
    enrollment: int
    total: float
    level: float | None  # X̄, per student
    cv_weighted: float | None
    cv_unweighted: float | None
    gini: float | None
    mcloone: float | None


def district_level(points: list[Point]) -> float | None:
    enrollment = sum(p.enrollment for p in points)
    return sum(p.total for p in points) / enrollment if enrollment else None


def weighted_cv(points: list[Point]) -> float | None:
    level = district_level(points)
    if not level:
        return None
    enrollment = sum(p.enrollment for p in points)
    variance = sum(p.enrollment / enrollment * (p.per_student - level) ** 2 for p in points)
    return sqrt(variance) / level


def unweighted_cv(points: list[Point]) -> float | None:
    if not points:
        return None
    values = [p.per_student for p in points]
    mean = sum(values) / len(values)
    if not mean:
        return None
    variance = sum((value - mean) ** 2 for value in values) / len(values)
    return sqrt(variance) / mean


def weighted_gini(points: list[Point]) -> float | None:
    level = district_level(points)
    if not level:
        return None
    # Σ_i Σ_j P_i P_j |X_i − X_j| in one pass over the points sorted by X: each pair counted from its larger
    # side, 2 Σ_i P_i (X_i · Σ_{j<i} P_j − Σ_{j<i} P_j X_j); O(n log n) instead of every pair.
    enrollment, spread, below, below_total = sum(p.enrollment for p in points), 0.0, 0, 0.0
    for point in sorted(points, key=lambda p: p.per_student):
        spread += 2 * point.enrollment * (point.per_student * below - below_total)
        below += point.enrollment
        below_total += point.total
    return spread / (2 * enrollment**2 * level)


def weighted_median(points: list[Point]) -> float | None:
    """The per-student value of the middle student; the mean of the two middle values on an exact tie."""
    if not points:
        return None
    ordered = sorted(points, key=lambda p: p.per_student)
    half = sum(p.enrollment for p in ordered) / 2
    seen = 0
    for index, point in enumerate(ordered):
        seen += point.enrollment
        if seen == half and index + 1 < len(ordered):
            return (point.per_student + ordered[index + 1].per_student) / 2
        if seen >= half:
            return point.per_student
    return ordered[-1].per_student


def mcloone(points: list[Point]) -> float | None:
    median = weighted_median(points)
    if not median:
        return None
    lower = [p for p in points if p.per_student <= median]
    return sum(p.total for p in lower) / (median * sum(p.enrollment for p in lower))


def dispersion(points: list[Point]) -> Dispersion:
    return Dispersion(
        schools=len(points),
        enrollment=sum(p.enrollment for p in points),
        total=sum(p.total for p in points),
        level=district_level(points),
        cv_weighted=weighted_cv(points),
        cv_unweighted=unweighted_cv(points),
        gini=weighted_gini(points),
        mcloone=mcloone(points),
    )


def gap_to_level(point: Point, level: float | None) -> float:
    """Hours (or student-hours) that would bring ``point`` up to ``level``; 0 at or above it."""
    if level is None:
        return 0.0
    return max(0.0, (level - point.per_student) * point.enrollment)


def passes(cv: float | None, threshold: float | None) -> bool | None:
    """Whether a CV meets its stage's mark; None where there is no mark or no CV."""
    if cv is None or threshold is None:
        return None
    return cv <= threshold


@dataclass(frozen=True)
class LorenzStep:
    """One school on a Lorenz curve: the shares of students and of hours of it and every school below it."""

    key: object
    students_share: float
    hours_share: float


def lorenz(points: list[Point], keys: list | None = None) -> list[LorenzStep]:
    """The Lorenz curve of ``points`` (schools from the least served per student up): cumulative share of
    students against cumulative share of hours, ending at (1, 1). Empty where it is undefined (no students,
    or no hours). Twice the area between it and the diagonal is the weighted Gini."""
    keys = keys if keys is not None else list(range(len(points)))
    enrollment, total = sum(p.enrollment for p in points), sum(p.total for p in points)
    if not enrollment or not total:
        return []
    ordered = sorted(zip(points, keys), key=lambda pair: pair[0].per_student)
    steps, students, hours = [], 0, 0.0
    for point, key in ordered:
        students += point.enrollment
        hours += point.total
        steps.append(LorenzStep(key, students / enrollment, hours / total))
    return steps


def curve_points(steps: list[LorenzStep]) -> list[tuple[float, float]]:
    """The curve to draw: (0, 0) then each step."""
    return [(0.0, 0.0)] + [(step.students_share, step.hours_share) for step in steps] if steps else []
