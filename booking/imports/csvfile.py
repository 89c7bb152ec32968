"""Reading an uploaded CSV file into rows, and writing CSV files people open in Excel.

Pure: no database, no request. A file-level problem (not text, wrong header, too many rows)
raises ``FileRejected`` with a message for people; rows are checked later, by each import.
"""
from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

from booking.i18n import enumeration
from booking.spreadsheets import csv_text
from booking.texts import lazy_gettext as _l


ACCEPTED_SUFFIXES = (".csv", ".txt")


class FileRejected(Exception):
    """The file as a whole cannot be imported; nothing was read into the database."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Column:
    name: str
    description: object  # a lazy, translated string
    optional: bool = False  # may be left out of the header (blank values are read as empty)
    choices: tuple = ()  # (code, label) pairs people may write, shown on the upload page


@dataclass
class Row:
    number: int  # as the spreadsheet numbers it: the header is row 1
    values: dict[str, str]
    extra_cells: bool = False  # more non-blank cells than the header has columns


def decode(data: bytes) -> str:
    """Text from UTF-8 (with or without BOM) or GB18030/GBK, which Excel in China writes."""
    if b"\x00" in data:
        raise FileRejected(_l("This is not a CSV file (it looks like a spreadsheet or another binary file). "
                              "In Excel choose File → Save As → CSV."))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(_l("The file is not readable text: save it as CSV in UTF-8 or GBK and try again."))


def _records(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        raise FileRejected(_l("The file is not valid CSV: %(problem)s", problem=str(error))) from None


def _is_blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _check_header(header: list[str], columns: tuple[Column, ...]) -> None:
    known = {column.name for column in columns}
    missing = [c.name for c in columns if not c.optional and c.name not in header]
    unknown = [name for name in header if name and name not in known]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if missing:
        raise FileRejected(_l("The header row lacks these columns: %(names)s. Start from the template file.",
                              names=enumeration(missing)))
    if unknown:
        raise FileRejected(_l("The header row has columns this import does not know: %(names)s. "
                              "Expected: %(expected)s.", names=enumeration(unknown),
                              expected=enumeration(c.name for c in columns)))
    if repeated:
        raise FileRejected(_l("These columns appear more than once in the header: %(names)s.",
                              names=enumeration(repeated)))


def read_table(data: bytes, filename: str, columns: tuple[Column, ...], max_rows: int) -> list[Row]:
    """The data rows of an uploaded file, checked as a file: readable, right header, not too long."""
    if not filename.lower().endswith(ACCEPTED_SUFFIXES):
        raise FileRejected(_l("Choose a .csv file. In Excel choose File → Save As → CSV (comma delimited)."))
    numbered = [(number, cells) for number, cells in enumerate(_records(decode(data)), start=1)
                if not _is_blank(cells)]  # blank lines keep their row numbers but are skipped
    if not numbered:
        raise FileRejected(_l("The file is empty."))
    header = [cell.strip().lower() for cell in numbered[0][1]]
    _check_header(header, columns)
    body = numbered[1:]
    if not body:
        raise FileRejected(_l("The file has a header but no rows to import."))
    if len(body) > max_rows:
        raise FileRejected(_l("The file has %(n)d rows; at most %(max)d can be imported at once. "
                              "Split it into smaller files.", n=len(body), max=max_rows))
    return [_row(number, cells, header, columns) for number, cells in body]


def _row(number: int, cells: list[str], header: list[str], columns: tuple[Column, ...]) -> Row:
    values = {column.name: "" for column in columns}
    for name, cell in zip(header, cells):
        if name:
            values[name] = cell.strip()
    return Row(number, values, extra_cells=not _is_blank(cells[len(header):]))


def write_table(header: list[str], rows: list[list[str]]) -> str:
    """CSV text with a UTF-8 BOM, so Excel opens Chinese text correctly; no cell starts a formula."""
    return csv_text(header, rows)
