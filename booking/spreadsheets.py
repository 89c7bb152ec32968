"""Cells for the CSV and XLSX files people open in Excel or WPS: text never runs as a formula.

A school or resource name such as ``=cmd|' /C calc'!A0`` would otherwise be a live formula when
the file is opened. Every writer of CSV or XLSX passes each cell through ``spreadsheet_cell``
(OWASP's rule: text starting with one of these characters gets a leading apostrophe). Pure code.
"""
from __future__ import annotations

import csv
import io

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """``value`` as it may be written into a cell; numbers (negative ones too) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_row(values) -> list:
    return [spreadsheet_cell(value) for value in values]


def csv_text(header: list, rows) -> str:
    """CSV text with a UTF-8 BOM, so Excel opens Chinese text correctly; no cell starts a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spreadsheet_row(header))
    writer.writerows(spreadsheet_row(row) for row in rows)
    return "\ufeff" + buffer.getvalue()


def append_xlsx_row(sheet, values) -> None:
    """A row at the end of an openpyxl sheet; text is stored as a string, never as a formula."""
    # Control characters other than tab and line breaks cannot be stored in XLSX at all; removed
    # before the check, so that what is left cannot start a formula.
    sheet.append(spreadsheet_row(ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                                 for value in values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = TYPE_STRING  # not a formula, nor an error code such as "#N/A"
