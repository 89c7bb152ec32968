"""The chart functions on their own (no app): the line-and-colour rule, the sort order, the Lorenz curve,
text that stays legible on a 390 px phone."""
import re
from pathlib import Path

import pytest

from booking.reports import charts, equity
from booking.reports.equity import Point


def bars_of(svg: str) -> list[tuple[str, str]]:
    """(label, fill) of each bar, top to bottom."""
    labels = re.findall(r'text-anchor="end">([^<]*)</text><rect x="130"[^>]*fill="([^"]+)"', svg)
    return labels


def test_a_bar_is_coloured_by_the_side_of_the_drawn_line():
    """The regression: bars were coloured by the stage's level (44.5) while the line showed another (41.0)."""
    bars = [charts.Bar("甲校", 43.0, "43.0"), charts.Bar("乙校", 40.0, "40.0"), charts.Bar("丙校", 41.0, "41.0")]
    svg = str(charts.bar_chart(bars, "共享获得", ("学段水平 41.0", 41.0), ("低于", "不低于")))
    assert bars_of(svg) == [("甲校", charts.BAR_COLOUR), ("丙校", charts.BAR_COLOUR), ("乙校", charts.BELOW_COLOUR)]
    line_x = float(re.search(r'<line x1="([0-9.]+)"[^>]*stroke-dasharray', svg)[1])
    for label, fill in bars_of(svg):
        width = float(re.search(rf'>{label}</text><rect x="130"[^>]*width="([0-9.]+)"', svg)[1])
        assert (130 + width < line_x - 1e-6) == (fill == charts.BELOW_COLOUR), label
    # The legend names the line and both colours.
    for text in ("学段水平 41.0", "低于", "不低于"):
        assert f">{text}</text>" in svg


@pytest.mark.parametrize("value, line, side", [(40.99, 41.0, charts.BELOW), (41.0, 41.0, charts.AT_OR_ABOVE),
                                               (0.0, 0.0, charts.AT_OR_ABOVE), (44.5, 41.0, charts.AT_OR_ABOVE)])
def test_side_of_line(value, line, side):
    assert charts.side_of_line(value, line) == side


def test_without_a_line_every_bar_has_one_colour():
    svg = str(charts.bar_chart([charts.Bar("甲", 1, "1"), charts.Bar("乙", 3, "3")], "x"))
    assert {fill for _label, fill in bars_of(svg)} == {charts.BAR_COLOUR}
    assert "stroke-dasharray" not in svg


def test_bars_are_sorted_largest_first_ties_by_label():
    bars = [charts.Bar("b", 2, ""), charts.Bar("a", 5, ""), charts.Bar("c", 2, ""), charts.Bar("d", 0, "")]
    assert [bar.label for bar in charts.sorted_bars(bars)] == ["a", "b", "c", "d"]
    svg = str(charts.bar_chart(bars, "x", ("line", 1.0)))
    assert [label for label, _fill in bars_of(svg)] == ["a", "b", "c", "d"]


def test_lorenz_points_run_from_the_least_served_to_one():
    points = [Point(100, 30.0), Point(300, 10.0), Point(100, 60.0)]  # per student 0.3, 0.033, 0.6
    steps = equity.lorenz(points, ["mid", "low", "high"])
    assert [step.key for step in steps] == ["low", "mid", "high"]
    assert [(step.students_share, step.hours_share) for step in steps] == [
        pytest.approx((0.6, 0.1)), pytest.approx((0.8, 0.4)), pytest.approx((1.0, 1.0))]
    curve = equity.curve_points(steps)
    assert curve[0] == (0.0, 0.0) and curve[-1] == pytest.approx((1.0, 1.0))
    # Twice the area between the diagonal and the curve is the weighted Gini.
    area = sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in zip(curve, curve[1:]))
    assert 1 - 2 * area == pytest.approx(equity.weighted_gini(points))


def test_lorenz_of_nothing_is_empty():
    assert equity.lorenz([]) == [] and equity.lorenz([Point(100, 0.0)]) == []
    assert equity.curve_points([]) == []


def test_lorenz_chart_draws_each_curve_and_the_diagonal():
    steps = equity.lorenz([Point(100, 1.0), Point(100, 3.0)])
    svg = str(charts.lorenz_chart([("共享获得 (基尼 0.250)", equity.curve_points(steps), charts.BELOW_COLOUR)],
                                  "洛伦兹曲线", ("学生占比", "小时占比"), "完全均衡"))
    assert svg.count("<polyline") == 1 and "完全均衡" in svg and "共享获得 (基尼 0.250)" in svg


def test_progress_bars_colour_by_the_expected_mark():
    items = [charts.Progress("甲校", 2, 1, 10, 5, "2 / 10"), charts.Progress("乙校", 6, 0, 10, 5, "6 / 10")]
    svg = str(charts.progress_chart(items, "送教", ("应完成", "落后", "正常", "已计划")))
    done = re.findall(r'<rect x="150" y="[0-9.]+" width="([0-9.]+)" height="16" fill="([^"]+)"/>', svg)
    assert done == [("40.0", charts.BELOW_COLOUR), ("120.0", charts.BAR_COLOUR)]  # 2/10 and 6/10 of 200


def test_heatmap_mutes_the_diagonal_and_leaves_it_out_of_the_scale():
    svg = str(charts.heatmap(["1 甲", "2 乙"], ["1", "2"], [[100.0, 2.0], [4.0, 50.0]], "流向", muted={(0, 0), (1, 1)}))
    assert svg.count(f'fill="{charts.MUTED_COLOUR}"') == 2
    assert 'fill-opacity="1.00"' in svg  # 4.0 is the largest shaded cell


CHARTS = {
    "bars": lambda: charts.bar_chart([charts.Bar("某某区第一实验小学附属分校", 3, "3.0")] * 30, "x", ("水平", 1.0),
                                     ("低于", "不低于")),
    "heatmap": lambda: charts.heatmap([f"{n} 某某区第{n}实验小学" for n in range(10)], [str(n) for n in range(10)],
                                      [[float(n)] * 10 for n in range(10)], "x"),
    "columns": lambda: charts.column_chart([f"09-{n:02d}" for n in range(20)], [5.0] * 20, [1.0] * 20, "x", ["a", "b"]),
    "lorenz": lambda: charts.lorenz_chart([("a", [(0, 0), (1, 1)], "#000")], "x", ("a", "b"), "c"),
    "progress": lambda: charts.progress_chart([charts.Progress("甲校 · 音乐", 1, 1, 4, 2, "1 / 4")], "x",
                                              ("a", "b", "c", "d")),
}


@pytest.mark.parametrize("name", sorted(CHARTS))
def test_chart_text_stays_legible_at_390_px(name):
    """Shrunk to fit a 390 px phone, an SVG stops at its min-width (then scrolls): text ≥ 9 px."""
    svg = str(CHARTS[name]())
    view_width = float(re.search(r'viewBox="0 0 ([0-9.]+) ', svg)[1])
    floor = float(REPORTS_CSS[re.search(r'class="chart (chart-min-[0-9]+)"', svg)[1]])
    drawn = max(floor, min(view_width, 390 - 32))  # the page's padding
    sizes = [float(size) for size in re.findall(r'font-size="([0-9.]+)"', svg)]
    assert sizes and min(sizes) * drawn / view_width >= 9, (min(sizes), drawn, view_width)


REPORTS_CSS = dict(re.findall(r"\.(chart-min-[0-9]+) \{ min-width: ([0-9]+)px; \}",
                               (Path(__file__).parent.parent / "static/css/reports.css").read_text()))


def test_every_minimum_width_a_chart_can_ask_for_is_a_class_of_the_stylesheet():
    """The CSP refuses inline styles (a ``style=`` on the SVG was silently dropped: charts shrank to
    unreadable text on phones), so the minimum width is a class, and reports.css must declare each one."""
    for width in range(100, 4000):
        svg = str(charts._svg(width, 100, "x", []))
        assert "style=" not in svg
        name = re.search(r'class="chart ([a-z0-9-]+)"', svg)[1]
        if name == "chart-natural":
            assert charts.min_width(width) > charts.MAX_MIN_WIDTH
        else:
            assert int(REPORTS_CSS[name]) == charts.min_width(width) >= width * charts.MIN_TEXT_PX / charts.FONT_SIZE


def test_long_names_are_cut_whole_never_overflowing_the_label_column():
    text = charts.fitted("某某区第一实验小学附属分校", 120)
    assert text.endswith("…") and charts.text_width(text) <= 120 and "某某区" in text
    assert charts.fitted("甲校", 120) == "甲校"


def test_labels_are_escaped():
    svg = str(charts.bar_chart([charts.Bar("<script>", 1, "1")], "<b>", ("<i>", 1.0)))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and 'aria-label="&lt;b&gt;"' in svg


def test_a_terms_weekly_columns_label_their_dates_without_overlap():
    """Found: 9月1日9月14日9月28日10月12日… ran into each other under the weekly chart, and the last was cut."""
    import re

    from booking.reports.charts import column_chart, text_width

    labels = [f"{month}月{day}日" for month, day in [(9, 1), (9, 8), (9, 15), (9, 22), (9, 29), (10, 6), (10, 13),
                                                   (10, 20), (10, 27), (11, 3), (11, 10), (11, 17), (11, 24),
                                                   (12, 1), (12, 8), (12, 15), (12, 22), (12, 29), (1, 5), (1, 12)]]
    svg = str(column_chart(labels, [5.0] * len(labels), [2.0] * len(labels), "每周小时数"))
    width = float(re.search(r'viewBox="0 0 ([\d.]+)', svg)[1])
    shown = [(float(x), text) for x, text in re.findall(r'<text x="([\d.]+)" y="\d+">([^<]+)</text>', svg)
             if text in labels]
    assert len(shown) >= 5
    for (x, text), (next_x, _next) in zip(shown, shown[1:]):
        assert x + text_width(text) < next_x, (text, x, next_x)
    last_x, last = shown[-1]
    assert last_x + text_width(last) <= width


def test_a_bars_value_is_drawn_over_its_outline_without_paint_order():
    """Found: the PDF's bars had no values. WeasyPrint ignores ``paint-order``, so the white outline was drawn
    over the text; the outline is now a text of its own, under the value."""
    svg = str(charts.bar_chart([charts.Bar("桃园小学", 49.6, "49.6")], "共享获得", ("学段水平 9.0", 9.0)))
    assert "paint-order" not in svg
    outline = svg.index('stroke="#fff" stroke-width="3" aria-hidden="true">49.6</text>')
    value = svg.rindex('">49.6</text>')
    assert outline < value and 'stroke' not in svg[svg.rindex("<text", 0, value):value]
