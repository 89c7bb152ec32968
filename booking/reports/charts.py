"""Charts drawn on the server as SVG: no script, so they print and work without a network.

Each chart is a picture of a table printed right under it; the picture carries a short label
for screen readers and the table carries the numbers. Pure code: values in, markup out.
"""
from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

BAR_COLOUR = "#1f6fb2"
ACCENT_COLOUR = "#0b3d66"
REFERENCE_COLOUR = "#b42318"
EMPTY_CELL = "#f2f4f7"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the table shows it
    highlight: bool = False


def _legend(items: list[tuple[str, str]], y: int) -> list[str]:
    """Colour keys in a row at the top left: [(colour, text), …]."""
    parts, x = [], 4
    for colour, text in items:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{x + 14}" y="{y}">{escape(text)}</text>')
        x += 24 + 13 * len(text)
    return parts


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" {FONT}>' + "".join(body) + "</svg>"
    )


def bar_chart(bars: list[Bar], label: str, reference: tuple[str, float] | None = None,
              legend: list[tuple[str, str]] | None = None) -> Markup:
    """Horizontal bars, one per row; ``reference`` draws a labelled vertical line (e.g. the district level)."""
    label_width, bar_width, row_height = 170, 380, 22
    top = (22 if reference else 4) + (18 if legend else 0)
    width, height = label_width + bar_width + 90, top + row_height * max(len(bars), 1) + 4
    largest = max([bar.value for bar in bars] + [reference[1] if reference else 0] + [1e-9])
    body = []
    for index, bar in enumerate(bars):
        y = top + index * row_height
        length = bar_width * max(bar.value, 0) / largest
        colour = ACCENT_COLOUR if bar.highlight else BAR_COLOUR
        body.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end">{escape(bar.label[:18])}</text>'
                    f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="{row_height - 8}" fill="{colour}"/>'
                    f'<text x="{label_width + length + 4:.1f}" y="{y + 15}">{escape(bar.text)}</text>')
    if reference:
        x = label_width + bar_width * reference[1] / largest
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height}" stroke="{REFERENCE_COLOUR}" '
                     f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{top - 8}" text-anchor="middle" '
                     f'fill="{REFERENCE_COLOUR}">{escape(reference[0])}</text>')
    return _svg(width, height, label, body + _legend(legend or [], 12))


def heatmap(row_labels: list[str], column_labels: list[str], values: list[list[float]], label: str) -> Markup:
    """A grid shaded by value (darker = more), the value written in each non-empty cell."""
    left, cell_width, cell_height, top = 92, 62, 22, 22
    width, height = left + cell_width * len(column_labels) + 4, top + cell_height * len(row_labels) + 4
    largest = max([value for row in values for value in row] + [1e-9])
    body = [f'<text x="{left + cell_width * n + cell_width / 2}" y="15" text-anchor="middle">{escape(text)}</text>'
            for n, text in enumerate(column_labels)]
    for r, (row_label, row) in enumerate(zip(row_labels, values)):
        y = top + r * cell_height
        body.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(row_label)}</text>')
        for c, value in enumerate(row):
            x = left + c * cell_width
            shade = f'fill="{BAR_COLOUR}" fill-opacity="{0.12 + 0.88 * value / largest:.2f}"' if value else \
                f'fill="{EMPTY_CELL}"'
            ink = "#fff" if value > largest / 2 else "#111"
            body.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_width - 2}" height="{cell_height - 2}" {shade}/>')
            if value:
                body.append(f'<text x="{x + cell_width / 2}" y="{y + 15}" text-anchor="middle" fill="{ink}">'
                            f'{value:.1f}</text>')
    return _svg(width, height, label, body)


def column_chart(labels: list[str], totals: list[float], parts: list[float], label: str,
                 legend: list[str] | None = None) -> Markup:
    """One column per period (a week): the total, and a darker part of it (e.g. cross-school hours);
    ``legend`` names the two."""
    left, top, plot_height, column_width = 48, 28 if legend else 10, 160, max(12, min(40, 640 // max(len(labels), 1)))
    width, height = left + column_width * len(labels) + 8, top + plot_height + 40
    largest = max(totals + [1e-9])
    body = [f'<line x1="{left}" y1="{top + plot_height}" x2="{width}" y2="{top + plot_height}" stroke="#999"/>',
            f'<text x="{left - 4}" y="{top + 10}" text-anchor="end">{largest:.0f}</text>',
            f'<text x="{left - 4}" y="{top + plot_height}" text-anchor="end">0</text>']
    for index, (text, value, part) in enumerate(zip(labels, totals, parts)):
        x = left + index * column_width
        for amount, colour in ((value, BAR_COLOUR), (part, ACCENT_COLOUR)):
            bar = plot_height * amount / largest
            body.append(f'<rect x="{x + 2}" y="{top + plot_height - bar:.1f}" width="{column_width - 4}" '
                        f'height="{bar:.1f}" fill="{colour}"/>')
        if index % max(1, len(labels) // 8) == 0:
            body.append(f'<text x="{x + 2}" y="{top + plot_height + 16}">{escape(text)}</text>')
    keys = list(zip((BAR_COLOUR, ACCENT_COLOUR), legend or []))
    return _svg(max(width, 420), height, label, body + _legend(keys, 12))
