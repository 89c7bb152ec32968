"""Equity maths and the reports' time and opening-hours helpers, checked against numbers worked out by hand.

Pure code: no app, no database.
"""
from collections import Counter
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from booking.reports import equity
from booking.reports.equity import Point
from booking.reports.opening import blackout_hours, open_hours
from booking.reports.timeframe import ReportRange, offset_spans, open_weekdays

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_two_equal_schools_one_and_three_hours_per_student():
    """X = 1 and 3, 100 students each: X̄ = 2, variance 1, so CV = 0.5; Gini = 2·100·100·2 / (2·200²·2) = 0.25;
    the median student sits between 1 and 3 (M = 2), the lower half got 1: McLoone = 100 / (2·100) = 0.5."""
    figures = equity.dispersion([Point(100, 100), Point(100, 300)])
    assert figures.level == 2
    assert figures.cv_weighted == pytest.approx(0.5)
    assert figures.cv_unweighted == pytest.approx(0.5)
    assert figures.gini == pytest.approx(0.25)
    assert figures.mcloone == pytest.approx(0.5)


def test_enrollment_weights_change_the_cv_but_not_the_unweighted_one():
    """100 students at X = 1 and 300 at X = 3: X̄ = 1000/400 = 2.5; weighted variance
    0.25·1.5² + 0.75·0.5² = 0.75, CV = √0.75 / 2.5 = 0.3464; unweighted CV stays 1/2 = 0.5;
    Gini = 2·100·300·2 / (2·400²·2.5) = 0.15; the median student has X = 3, so McLoone = 1000 / (3·400)."""
    points = [Point(100, 100), Point(300, 900)]
    figures = equity.dispersion(points)
    assert figures.level == 2.5
    assert figures.cv_weighted == pytest.approx(0.75 ** 0.5 / 2.5)
    assert figures.cv_weighted == pytest.approx(0.34641, abs=1e-5)
    assert figures.cv_unweighted == pytest.approx(0.5)
    assert figures.gini == pytest.approx(0.15)
    assert figures.mcloone == pytest.approx(1000 / 1200)
    assert equity.gap_to_level(points[0], figures.level) == pytest.approx(150)  # (2.5 − 1) × 100 hours
    assert equity.gap_to_level(points[1], figures.level) == 0


def test_three_schools_by_hand():
    """P = 1, 1, 2 with X = 0, 1, 2: X̄ = 5/4; weighted variance ¼·1.25² + ¼·0.25² + ½·0.75² = 0.6875;
    Σ Σ P_i P_j |X_i − X_j| = 2·(1 + 4 + 2) = 14 over 2·4²·1.25 = 40: Gini 0.35; the two middle students
    have 1 and 2, M = 1.5, and the students at or below it got 1 in all: McLoone = 1 / (1.5·2)."""
    figures = equity.dispersion([Point(1, 0), Point(1, 1), Point(2, 4)])
    assert figures.level == 1.25
    assert figures.cv_weighted == pytest.approx(0.6875 ** 0.5 / 1.25)
    assert figures.gini == pytest.approx(0.35)
    assert figures.mcloone == pytest.approx(1 / 3)
    assert figures.cv_unweighted == pytest.approx((2 / 3) ** 0.5 / 1)  # values 0, 1, 2: mean 1, variance 2/3


def test_equal_access_is_perfect_equity():
    figures = equity.dispersion([Point(50, 100), Point(150, 300), Point(7, 14)])
    assert (figures.cv_weighted, figures.cv_unweighted, figures.gini, figures.mcloone) == (0, 0, 0, 1)


@pytest.mark.parametrize("points", [[], [Point(100, 0), Point(50, 0)]])
def test_no_access_at_all_leaves_the_figures_undefined(points):
    figures = equity.dispersion(points)
    assert (figures.cv_weighted, figures.cv_unweighted, figures.gini, figures.mcloone) == (None,) * 4
    assert figures.level == (None if not points else 0)


def test_pass_marks_by_stage():
    assert equity.STAGE_THRESHOLDS == {"primary": 0.50, "junior": 0.45, "nine_year": 0.45, "kindergarten": None}
    assert equity.passes(0.50, 0.50) is True
    assert equity.passes(0.46, 0.45) is False
    assert equity.passes(0.2, None) is None
    assert equity.passes(None, 0.5) is None


def test_report_range_is_local_days_in_utc():
    report_range = ReportRange(date(2026, 9, 7), date(2026, 9, 11), SHANGHAI)
    assert report_range.start == datetime(2026, 9, 6, 16, tzinfo=timezone.utc)
    assert report_range.end == datetime(2026, 9, 11, 16, tzinfo=timezone.utc)
    assert report_range.day_count == 5


def test_offset_spans_cut_at_daylight_saving_changes():
    berlin = ZoneInfo("Europe/Berlin")
    report_range = ReportRange(date(2026, 10, 20), date(2026, 10, 30), berlin)
    spans = offset_spans(report_range.start, report_range.end, berlin)
    assert [span.offset_seconds for span in spans] == [7200, 3600]
    assert spans[0].end == spans[1].start == datetime(2026, 10, 25, 1, tzinfo=timezone.utc)
    assert len(offset_spans(report_range.start, report_range.end, SHANGHAI)) == 1


def test_open_days_per_weekday_leave_closed_days_out():
    report_range = ReportRange(date(2026, 9, 7), date(2026, 9, 20), SHANGHAI)  # two whole weeks
    counts = open_weekdays(report_range, [date(2026, 9, 10), date(2026, 9, 30)])
    assert counts == Counter({0: 2, 1: 2, 2: 2, 3: 1, 4: 2, 5: 2, 6: 2})


def test_opening_hours_and_blackouts():
    windows = {0: [(time(8), time(12)), (time(14), time(17))], 2: [(time(8), time(10))]}
    assert open_hours(windows, Counter({0: 2, 2: 1, 4: 3})) == 2 * 7 + 2
    # A blackout Monday 2026-09-07 11:00 – Wednesday 09:00 local takes 1 + 3 hours on Monday and 1 on Wednesday;
    # with Monday closed, only Wednesday's hour is lost.
    start = datetime(2026, 9, 7, 11, tzinfo=SHANGHAI)
    end = datetime(2026, 9, 9, 9, tzinfo=SHANGHAI)
    assert blackout_hours(windows, start, end, SHANGHAI, date(2026, 9, 7), date(2026, 9, 13), []) == 5
    assert blackout_hours(windows, start, end, SHANGHAI, date(2026, 9, 7), date(2026, 9, 13), [date(2026, 9, 7)]) == 1
