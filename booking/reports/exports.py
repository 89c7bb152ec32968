"""CSV and XLSX files of the report's tables: the same tables the page shows.

CSV is UTF-8 with a byte-order mark, so Excel on a Chinese Windows opens it without mojibake.
XLSX keeps numbers as numbers with a display format, one sheet per table. Text never starts a
formula in either (booking.spreadsheets).
"""
from __future__ import annotations

import csv
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from booking.reports.tables import NUMBER_FORMATS, Table, cell_kind, plain
from booking.spreadsheets import append_xlsx_row, spreadsheet_row

SHEET_TITLE_MAX = 31  # Excel's limit
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def table_csv(table: Table, heading: list[str]) -> bytes:
    """``heading``: lines written above the table (title, date range)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in heading:
        writer.writerow(spreadsheet_row([line]))
    writer.writerow(spreadsheet_row(str(column.label) for column in table.columns))
    for row in table.all_rows():
        writer.writerow(spreadsheet_row(plain(cell, column) for cell, column in zip(row, table.columns)))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_title(title: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", title)[:SHEET_TITLE_MAX].strip() or "Sheet"
    candidate, number = base, 2
    while candidate in taken:
        suffix = f" ({number})"
        candidate, number = base[:SHEET_TITLE_MAX - len(suffix)] + suffix, number + 1
    taken.add(candidate)
    return candidate


def _write_sheet(sheet, table: Table, heading: list[str]) -> None:
    for line in heading:
        append_xlsx_row(sheet, [line])
    append_xlsx_row(sheet, [str(column.label) for column in table.columns])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in table.all_rows():
        append_xlsx_row(sheet, [plain(cell, column) for cell, column in zip(row, table.columns)])
        for written, cell, column in zip(sheet[sheet.max_row], row, table.columns):
            number_format = NUMBER_FORMATS.get(cell_kind(cell, column))
            if number_format and isinstance(written.value, (int, float)):
                written.number_format = number_format


def tables_xlsx(tables: list[Table], heading: list[str]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        _write_sheet(workbook.create_sheet(_sheet_title(str(table.title), taken)), table, [str(table.title), *heading])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
