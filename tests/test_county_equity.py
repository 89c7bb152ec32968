"""The county's Theil decomposition and the schools over its mark, against hand-computed values (no app)."""
from __future__ import annotations

from math import log, sqrt

import pytest

from booking.reports.county_equity import pulling_schools, theil, theil_decomposition
from booking.reports.equity import Point, weighted_cv

# District A: two schools of 100 students with 100 and 300 hours (X = 1 and 3); district B: one of 200
# students with 400 hours (X = 2). County level μ = 800 / 400 = 2; μ_A = 2, μ_B = 2.
A = [Point(100, 100), Point(100, 300)]
B = [Point(200, 400)]


def test_theil_by_hand():
    # T = ¼·½·ln ½ + ¼·(3/2)·ln(3/2) + ½·1·ln 1
    assert theil(A + B) == pytest.approx(0.125 * log(0.5) + 0.375 * log(1.5))
    assert theil([Point(50, 100), Point(150, 300)]) == pytest.approx(0.0)
    assert theil([]) is None and theil([Point(10, 0)]) is None
    # A school without hours adds nothing to the sum: T = ½·0 + ½·2·ln 2
    assert theil([Point(100, 0), Point(100, 200)]) == pytest.approx(log(2))


def test_equal_district_levels_leave_all_the_inequality_within():
    parts = theil_decomposition({"A": A, "B": B})
    assert parts.between == pytest.approx(0.0)
    assert parts.within == pytest.approx(parts.total) and parts.total == pytest.approx(theil(A + B))
    # A holds half the hours and its own T_A = ½·½·ln ½ + ½·(3/2)·ln(3/2); B has none within.
    assert parts.within_by_group["A"] == pytest.approx(0.5 * (0.25 * log(0.5) + 0.75 * log(1.5)))
    assert parts.within_by_group["B"] == pytest.approx(0.0)
    assert parts.between_share == pytest.approx(0.0)


def test_unequal_districts_split_between_and_within_exactly():
    # A: X = 1 and 1 (μ_A = 1, 200 students); B: X = 4 (μ_B = 4, 200 students); μ = 1000 / 400 = 2.5.
    groups = {"A": [Point(100, 100), Point(100, 100)], "B": [Point(200, 800)]}
    parts = theil_decomposition(groups)
    between = 0.5 * (1 / 2.5) * log(1 / 2.5) + 0.5 * (4 / 2.5) * log(4 / 2.5)
    assert parts.between == pytest.approx(between) and parts.within == pytest.approx(0.0)
    assert parts.total == pytest.approx(theil([p for members in groups.values() for p in members]))
    assert parts.between_share == pytest.approx(1.0)
    assert theil_decomposition({"A": [Point(100, 0)]}) is None


def test_the_schools_that_pull_the_county_over_its_mark():
    # X = 1, 1, 1, 5 for 100 students each: μ = 2, weighted variance = (3·1 + 9)/4 = 3, CV = √3 / 2 ≈ 0.87.
    members = [("s1", Point(100, 100)), ("s2", Point(100, 100)), ("s3", Point(100, 100)), ("far", Point(100, 500))]
    pull, *below = pulling_schools(members, 0.50)
    assert pull.key == "far"
    assert pull.variance_share == pytest.approx(9 / 4 / 3)  # (¼·9) of the variance 3
    assert pull.cv_without == pytest.approx(0.0)  # the three others are equal
    assert sqrt(3) / 2 > 0.5
    # Without one of the three: X = 1, 1, 5, μ = 7/3, variance (2·(4/3)² + (8/3)²) / 3 = 32/9, CV = √32 / 7.
    assert [p.key for p in below] == ["s1", "s2", "s3"] and below[0].cv_without == pytest.approx(sqrt(32) / 7)
    assert pulling_schools(members, 0.9) == []  # the county is within the mark: nobody pulls it over
    assert pulling_schools(members, None) == []


def test_each_pulling_schools_cv_without_it_is_the_others_cv():
    # Counted from the county's sums (linear in the schools), it equals the CV computed over the others.
    members = [(f"s{n}", Point(60 + 37 * n % 900, 40 + 13 * n % 70)) for n in range(60)]
    pulls = pulling_schools(members, 0.1)
    assert pulls
    for pull in pulls:
        others = [point for key, point in members if key != pull.key]
        assert pull.cv_without == pytest.approx(weighted_cv(others))
    far, *zero = pulling_schools([("a", Point(100, 0)), ("b", Point(100, 0)), ("far", Point(100, 300))], 0.1)
    assert far.key == "far" and far.cv_without is None  # the others have no hours: no level, no CV
    assert [(p.key, p.cv_without) for p in zero] == [("a", pytest.approx(1.0)), ("b", pytest.approx(1.0))]


def test_a_school_far_above_the_level_whose_absence_raises_the_cv_does_not_pull():
    """Regression: 44.9 hours per 100 students where the county's level is 9.1 (CV 1.43) carried 10.6% of
    the variance and was listed first, though the county's CV without it is higher (1.45)."""
    members = [("many", Point(100, 10)) for _ in range(8)] + [("high", Point(100, 300)), ("top", Point(100, 400))]
    keys = {pull.key for pull in pulling_schools(members, 0.5)}
    assert "high" not in keys and "many" in keys
    cv = weighted_cv([point for _key, point in members])
    assert weighted_cv([point for key, point in members if key != "high"]) > cv
