"""Charts drawn on the server as SVG: no script, so they print, go into the PDF and work without a network.

Each chart is a picture of a table printed with it; the picture carries a short label for screen
readers and the table carries the numbers. Pure code: values in, markup out.

Rules every chart keeps:
- A reference line is drawn from one value, and a bar's colour says which side of *that drawn line*
  it is on (``side_of_line``), with a legend naming both colours. Nothing else colours a bar.
- Bars are sorted, largest first (``sorted_bars``), so a reader sees the order at a glance.
- Text is never smaller than ``MIN_TEXT_PX`` on the page: each SVG has a minimum width (``min_width``)
  below which its box scrolls sideways instead of shrinking, so a 390 px phone still reads 9 px or more.
  The Content-Security-Policy refuses inline styles, so that width is a class (``min_width_class``) of
  static/css/reports.css, which declares one per ``MIN_WIDTH_STEP`` up to ``MAX_MIN_WIDTH``; a chart wider
  than that keeps its natural size and scrolls.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_COLOUR = "#1f6fb2"  # at or above the line
BELOW_COLOUR = "#c4320a"  # below the line
ACCENT_COLOUR = "#0b3d66"
LIGHT_COLOUR = "#9cc3e6"  # a lighter part of a bar (planned beside delivered)
REFERENCE_COLOUR = "#1d2939"
MUTED_COLOUR = "#d0d5dd"
EMPTY_CELL = "#f2f4f7"
FONT_SIZE = 13
MIN_TEXT_PX = 9.5
MIN_WIDTH_STEP, MAX_MIN_WIDTH = 20, 1200  # px: the .chart-min-N classes of static/css/reports.css
FONT = f'font-family="Noto Sans CJK SC, system-ui, sans-serif" font-size="{FONT_SIZE}"'
BELOW, AT_OR_ABOVE = "below", "at_or_above"


def haloed_text(x: float, y: float, text: str) -> str:
    """``text`` over a white outline of itself, so a value stays legible over the dashed line. Two elements
    rather than ``paint-order``, which WeasyPrint does not know: it drew the outline over the text, and the PDF's
    bars lost their values."""
    place = f'x="{x:.1f}" y="{y}"'
    return (f'<text {place} fill="#fff" stroke="#fff" stroke-width="3" aria-hidden="true">{escape(text)}</text>'
            f'<text {place}>{escape(text)}</text>')


@dataclass(frozen=True)
class Chart:
    """A chart as a page shows it: its key, the SVG, and the table of exactly the numbers it draws."""

    key: str
    svg: Markup
    table: object  # tables.Table


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the table shows it


def side_of_line(value: float, line: float) -> str:
    """Which side of the drawn reference line a bar ends on: below it, or at or above it."""
    return BELOW if value < line else AT_OR_ABOVE


def bar_colour(value: float, line: float | None) -> str:
    if line is None:
        return BAR_COLOUR
    return BELOW_COLOUR if side_of_line(value, line) == BELOW else BAR_COLOUR


def sorted_bars(bars: list[Bar]) -> list[Bar]:
    """Largest first; equal values by label, so the order is the same on every page load."""
    return sorted(bars, key=lambda bar: (-bar.value, bar.label))


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """About how wide ``text`` is drawn: a CJK character is one em, Latin text about 0.6 em."""
    return sum(size if ord(char) > 0x2E80 else 0.6 * size for char in text)


def fitted(text: str, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width``; whole characters, never half a CJK character."""
    if text_width(text) <= width:
        return text
    while text and text_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def min_width(width: int) -> int:
    """The smallest width (px) an SVG of viewBox ``width`` may be shrunk to while its text stays legible,
    rounded up to a step that reports.css declares."""
    return math.ceil(width * MIN_TEXT_PX / FONT_SIZE / MIN_WIDTH_STEP) * MIN_WIDTH_STEP


def min_width_class(width: int) -> str:
    """The class that keeps an SVG of viewBox ``width`` at or above ``min_width`` (natural size past the last)."""
    floor = min_width(width)
    return f"chart-min-{floor}" if floor <= MAX_MIN_WIDTH else "chart-natural"


def _legend(items: list[tuple[str, str]], y: int, x: float = 4) -> list[str]:
    """Colour keys in a row: [(colour, text), …]; a colour "line" draws a dashed line key."""
    parts = []
    for colour, text in items:
        if colour == "line":
            parts.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 12}" y2="{y - 4}" stroke="{REFERENCE_COLOUR}" '
                         f'stroke-width="2" stroke-dasharray="4 3"/>')
        else:
            parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="{y}">{escape(text)}</text>')
        x += 28 + text_width(text)
    return parts


def legend_width(items: list[tuple[str, str]]) -> float:
    return 4 + sum(28 + text_width(text) for _colour, text in items)


def _svg(width: float, height: float, label: str, body: list[str]) -> Markup:
    width = round(width)
    return Markup(
        f'<svg class="chart {min_width_class(width)}" viewBox="0 0 {width} {height:.0f}" width="{width}" '
        f'role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" {FONT}>' + "".join(body) + "</svg>"
    )


def bar_chart(bars: list[Bar], label: str, reference: tuple[str, float] | None = None,
              sides: tuple[str, str] | None = None) -> Markup:
    """Horizontal bars, largest first. ``reference`` = (its label, value) draws a dashed line at that value
    and colours each bar by the side of that line it ends on; ``sides`` names the two colours in the legend
    (below, at or above)."""
    bars = sorted_bars(bars)
    label_width, bar_width, row_height, value_width = 130, 250, 24, 64
    line = reference[1] if reference else None
    legend = []
    if reference:
        legend = [("line", reference[0])]
        legend += [(BELOW_COLOUR, sides[0]), (BAR_COLOUR, sides[1])] if sides else []
    top = 24 if legend else 4
    width = max(label_width + bar_width + value_width, legend_width(legend))
    height = top + row_height * max(len(bars), 1) + 6
    largest = max([bar.value for bar in bars] + [line or 0] + [1e-9])
    body = []
    for index, bar in enumerate(bars):
        y = top + index * row_height
        length = bar_width * max(bar.value, 0) / largest
        body.append(f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end">'
                    f'{escape(fitted(bar.label, label_width - 10))}</text>'
                    f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="{row_height - 9}" '
                    f'fill="{bar_colour(bar.value, line)}"/>'
                    + haloed_text(label_width + length + 4, y + 17, bar.text))
    if line is not None:
        x = label_width + bar_width * line / largest
        body.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height}" stroke="{REFERENCE_COLOUR}" '
                    f'stroke-width="2" stroke-dasharray="4 3"/>')
    return _svg(width, height, label, body + _legend(legend, 16))


def heatmap(row_labels: list[str], column_labels: list[str], values: list[list[float | None]], label: str,
            muted: set[tuple[int, int]] = frozenset(), legend: list[tuple[str, str]] | None = None) -> Markup:
    """A grid shaded by value (darker = more), the value written in each non-empty cell; ``muted`` cells
    (row, column) are drawn grey and left out of the shading scale (e.g. a school's use of its own)."""
    left = min(150, max([text_width(text) for text in row_labels] + [40]) + 10)
    cell_width, cell_height, top = 56, 24, 24 + (20 if legend else 0)
    width = max(left + cell_width * len(column_labels) + 4, legend_width(legend or []))
    height = top + cell_height * len(row_labels) + 4
    scaled = [value for r, row in enumerate(values) for c, value in enumerate(row) if (r, c) not in muted and value]
    largest = max(scaled + [1e-9])
    body = [f'<text x="{left + cell_width * n + cell_width / 2}" y="{top - 8}" text-anchor="middle">'
            f'{escape(fitted(text, cell_width - 4))}</text>' for n, text in enumerate(column_labels)]
    for r, (row_label, row) in enumerate(zip(row_labels, values)):
        y = top + r * cell_height
        body.append(f'<text x="{left - 6}" y="{y + 17}" text-anchor="end">{escape(fitted(row_label, left - 10))}</text>')
        for c, value in enumerate(row):
            x = left + c * cell_width
            if (r, c) in muted:
                shade, ink = f'fill="{MUTED_COLOUR}"', "#111"
            elif value:
                shade = f'fill="{BAR_COLOUR}" fill-opacity="{0.12 + 0.88 * min(value / largest, 1):.2f}"'
                ink = "#fff" if value > largest / 2 else "#111"
            else:
                shade, ink = f'fill="{EMPTY_CELL}"', "#111"
            body.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_width - 2}" height="{cell_height - 2}" {shade}/>')
            if value:
                body.append(f'<text x="{x + cell_width / 2}" y="{y + 17}" text-anchor="middle" fill="{ink}">'
                            f'{value:.1f}</text>')
    return _svg(width, height, label, body + _legend(legend or [], 16))


def column_chart(labels: list[str], totals: list[float], parts: list[float], label: str,
                 legend: list[str] | None = None) -> Markup:
    """One column per period (a week): the total, and a darker part of it (e.g. cross-school hours);
    ``legend`` names the two."""
    keys = list(zip((BAR_COLOUR, ACCENT_COLOUR), legend or []))
    left, top, plot_height = 48, 30 if legend else 10, 160
    column_width = max(14, min(40, 440 // max(len(labels), 1)))
    label_room = max((text_width(text) for text in labels), default=0) + 8  # one date label and a gap
    width = max(left + column_width * max(len(labels) - 1, 0) + label_room, 360)  # the last date label fits
    height = top + plot_height + 40
    largest = max(totals + [1e-9])
    body = [f'<line x1="{left}" y1="{top + plot_height}" x2="{width}" y2="{top + plot_height}" stroke="#999"/>',
            f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{largest:.0f}</text>',
            f'<text x="{left - 4}" y="{top + plot_height}" text-anchor="end">0</text>']
    every = max(1, math.ceil(label_room / column_width))  # labels never overlap: one every few columns
    for index, (text, value, part) in enumerate(zip(labels, totals, parts)):
        x = left + index * column_width
        for amount, colour in ((value, BAR_COLOUR), (part, ACCENT_COLOUR)):
            bar = plot_height * amount / largest
            body.append(f'<rect x="{x + 2}" y="{top + plot_height - bar:.1f}" width="{column_width - 4}" '
                        f'height="{bar:.1f}" fill="{colour}"/>')
        if index % every == 0:
            body.append(f'<text x="{x + 2}" y="{top + plot_height + 18}">{escape(text)}</text>')
    return _svg(max(width, legend_width(keys)), height, label, body + _legend(keys, 14))


def lorenz_chart(curves: list[tuple[str, list[tuple[float, float]], str]], label: str,
                 axes: tuple[str, str], equality: str) -> Markup:
    """Lorenz curves: each (name, [(share of students, share of hours), …] from (0, 0) to (1, 1), colour);
    the diagonal is perfect equality. ``axes`` names x and y."""
    left, top, size = 44, 8 + 20 * len(curves) + 20, 240
    width, height = max(left + size + 16, max((legend_width([(c, n)]) for n, _p, c in curves), default=0)), \
        top + size + 40

    def xy(point):
        return f"{left + size * point[0]:.1f},{top + size * (1 - point[1]):.1f}"

    body = [f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#999"/>',
            f'<line x1="{left}" y1="{top + size}" x2="{left + size}" y2="{top}" stroke="{REFERENCE_COLOUR}" '
            f'stroke-width="2" stroke-dasharray="4 3"/>',
            f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">100%</text>',
            f'<text x="{left - 4}" y="{top + size}" text-anchor="end">0</text>',
            f'<text x="{left + size}" y="{top + size + 18}" text-anchor="end">100%</text>',
            f'<text x="{left}" y="{top + size + 34}">{escape(axes[0])} →</text>',
            f'<text x="{left + 6}" y="{top + 18}">↑ {escape(axes[1])}</text>']
    for _name, points, colour in curves:
        if points:
            body.append(f'<polyline points="{" ".join(xy(p) for p in points)}" fill="none" stroke="{colour}" '
                        f'stroke-width="2.5"/>')
    keys = [("line", equality)] + [(colour, name) for name, _points, colour in curves]
    for index, key in enumerate(keys):
        body += _legend([key], 16 + 20 * index)
    return _svg(width, height, label, body)


@dataclass(frozen=True)
class Progress:
    label: str
    done: int
    planned: int  # more to come, on top of done
    required: int
    expected: int  # what the share of the term passed calls for by now
    text: str


def progress_chart(items: list[Progress], label: str, names: tuple[str, str, str, str]) -> Markup:
    """One bar per item out of its requirement: delivered (coloured by the side of the "expected by now"
    mark it ends on), planned after it in a lighter colour, the mark as a dashed tick; ``names`` are the
    legend's (expected by now, behind, on track, planned)."""
    label_width, bar_width, row_height, value_width = 150, 200, 26, 90
    legend = [("line", names[0]), (BELOW_COLOUR, names[1]), (BAR_COLOUR, names[2]), (LIGHT_COLOUR, names[3])]
    top = 46
    width = max(label_width + bar_width + value_width, legend_width(legend[:2]), legend_width(legend[2:]))
    height = top + row_height * max(len(items), 1) + 4
    body = []
    for index, item in enumerate(items):
        y, whole = top + index * row_height, max(item.required, 1)
        done = bar_width * min(item.done, whole) / whole
        planned = bar_width * min(item.planned, max(whole - item.done, 0)) / whole
        mark = label_width + bar_width * min(item.expected, whole) / whole
        body.append(f'<text x="{label_width - 6}" y="{y + 18}" text-anchor="end">'
                    f'{escape(fitted(item.label, label_width - 10))}</text>'
                    f'<rect x="{label_width}" y="{y + 5}" width="{bar_width}" height="{row_height - 10}" '
                    f'fill="{EMPTY_CELL}" stroke="#999"/>'
                    f'<rect x="{label_width}" y="{y + 5}" width="{done:.1f}" height="{row_height - 10}" '
                    f'fill="{BELOW_COLOUR if item.done < item.expected else BAR_COLOUR}"/>'
                    f'<rect x="{label_width + done:.1f}" y="{y + 5}" width="{planned:.1f}" '
                    f'height="{row_height - 10}" fill="{LIGHT_COLOUR}"/>'
                    f'<line x1="{mark:.1f}" y1="{y + 1}" x2="{mark:.1f}" y2="{y + row_height - 1}" '
                    f'stroke="{REFERENCE_COLOUR}" stroke-width="2" stroke-dasharray="3 2"/>'
                    f'<text x="{label_width + bar_width + 6}" y="{y + 18}">{escape(item.text)}</text>')
    return _svg(width, height, label, body + _legend(legend[:2], 16) + _legend(legend[2:], 36))
