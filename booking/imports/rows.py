"""Reading typed values out of one CSV row, and the row-level error report. Pure: no database.

Cells that cannot be read (a word where a number belongs) are reported here; everything else
is left to the domain's own checks, so the CSV import and the forms give the same messages.
"""
from __future__ import annotations

from dataclasses import dataclass

from booking.imports.csvfile import Row
from booking.texts import lazy_gettext as _l

TRUE_WORDS = {"yes", "y", "true", "1", "是", "需要", "对"}
FALSE_WORDS = {"no", "n", "false", "0", "否", "不需要", "不", ""}


@dataclass(frozen=True)
class RowError:
    row: int  # as in the spreadsheet: the header is row 1
    column: str
    message: object  # a lazy, translated string


class RowReader:
    """Typed values from one row; unreadable cells become errors named by their column."""

    def __init__(self, row: Row):
        self.row = row
        self.errors: dict[str, object] = {}
        if row.extra_cells:
            self.errors[""] = _l("This row has more cells than the header has columns.")

    def text(self, column: str) -> str:
        return self.row.values.get(column, "")

    def integer(self, column: str) -> int | None:
        text = self.text(column)
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            self.errors[column] = _l("Enter a whole number, not %(value)s.", value=text)
            return None

    def boolean(self, column: str) -> bool:
        text = self.text(column).lower()
        if text in TRUE_WORDS:
            return True
        if text not in FALSE_WORDS:
            self.errors[column] = _l("Enter yes or no (是 or 否), not %(value)s.", value=self.text(column))
        return False

    def choice(self, column: str, options) -> str:
        """The code for a cell that holds a code or its label in the page's language (e.g. teacher or 教师).

        Anything else is returned as written, for the domain's check to name the allowed values.
        """
        text = self.text(column)
        for code, name in options:
            if text.lower() == code.lower() or text == str(name):
                return code
        return text

    def parsed(self, column: str, parse, when_blank):
        """``parse(text)`` for a non-blank cell; a ValueError's message becomes the cell's error."""
        text = self.text(column)
        if not text:
            return when_blank
        try:
            return parse(text)
        except ValueError as error:
            self.errors[column] = error.args[0] if error.args else _l("This value cannot be read.")
            return when_blank


def row_errors(reader: RowReader, field_errors: dict, column_of: dict[str, str] | None = None) -> list[RowError]:
    """One row's errors: unreadable cells first, then the domain's field errors under their CSV column.

    A column whose cell could not be read reports only that, not the knock-on rule failure.
    """
    column_of = column_of or {}
    by_column = dict(reader.errors)
    for field, message in field_errors.items():
        by_column.setdefault(column_of.get(field, field), message)
    return [RowError(reader.row.number, column, message) for column, message in by_column.items()]
