"""Tables: the one shape every figure takes on the page, in the CSV and XLSX exports and on print.

A ``Table`` has columns with a kind (how to format) and rows of cells; a cell may carry a
drill-down link to the bookings behind it. The page, the exports and the charts' data tables
are all drawn from these, so they cannot disagree. Pure code: links come from a callable.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_decimal, format_percent

from booking.texts import lazy_gettext as _l

TEXT, INT, HOURS, RATIO, PERCENT, FLAG = "text", "int", "hours", "ratio", "percent", "flag"
NUMBER_FORMATS = {INT: "#,##0", HOURS: "#,##0.0", RATIO: "0.000", PERCENT: "0.0%"}


@dataclass(frozen=True)
class Column:
    key: str
    label: object
    kind: str = TEXT


@dataclass(frozen=True)
class Cell:
    value: object
    link: str | None = None
    kind: str | None = None  # overrides the column's kind (mixed tables such as the summary)


@dataclass
class Table:
    key: str
    title: object
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: object = ""
    total: list | None = None  # a last row set apart (totals)

    def all_rows(self) -> list[list]:
        return self.rows + ([self.total] if self.total else [])


def cell_value(cell) -> object:
    return cell.value if isinstance(cell, Cell) else cell


def cell_kind(cell, column: Column) -> str:
    return (cell.kind if isinstance(cell, Cell) else None) or column.kind


def display(cell, column: Column) -> str:
    """The cell as the page shows it, in the current locale; "–" where there is no value."""
    value, kind = cell_value(cell), cell_kind(cell, column)
    if value is None or value == "":
        return "–"
    if kind == FLAG:
        return str(_l("Yes")) if value else str(_l("No"))
    if kind == PERCENT:
        return format_percent(value, "#,##0.0%")
    if kind in NUMBER_FORMATS:
        return format_decimal(value, NUMBER_FORMATS[kind])
    return str(value)


def plain(cell, column: Column) -> object:
    """The cell for a file: numbers unformatted (rounded to what is meaningful), text as text."""
    value, kind = cell_value(cell), cell_kind(cell, column)
    if value is None:
        return ""
    if kind == FLAG:
        return str(_l("Yes")) if value else str(_l("No"))
    if kind in (HOURS, RATIO, PERCENT) and isinstance(value, (int, float)):
        return round(value, 4)
    return value if isinstance(value, (int, float)) else str(value)

