"""No CSV or XLSX file the app writes carries a live formula, whatever people named their schools."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from booking.accounts.models import Role
from booking.bookings.models import BookingOutcome
from booking.imports.csvfile import write_table
from booking.imports.jobs import wait_for_workers
from booking.resources.models import Category, ResourceKind
from booking.spreadsheets import FORMULA_STARTS, append_xlsx_row, spreadsheet_cell
from tests import factories
from tests.booking_support import local
from tests.test_reports import add_booking

NAMES = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"]
WEEK = {"start": "2026-09-07", "end": "2026-09-11"}
EXPORT_LINK = re.compile(r'href="(/reports/export/[a-z_]+\.(?:csv|xlsx))\?')
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")  # a number written by the app, such as a negative difference


def assert_no_formula_in_csv(data: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for row in rows:
        for value in row:
            assert NUMBER.fullmatch(value) or not value.startswith(FORMULA_STARTS), value
    return rows


def assert_no_formula_in_xlsx(data: bytes) -> list:
    workbook = load_workbook(io.BytesIO(data))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS)), cell.value
                values.append(cell.value)
    return values


@pytest.fixture
def named_district(app):
    """Schools, a resource and a teacher named like formulas, with hours booked in the week."""
    lead = factories.school(name=NAMES[0], enrollment=100, is_lead=True)
    village = factories.school(name=NAMES[1], enrollment=100, is_weak=True, lead_school_id=lead.id)
    other = factories.school(name=NAMES[2], enrollment=50, is_weak=True, lead_school_id=lead.id)
    gym = factories.resource(owner_school=lead, name=NAMES[3], kind=ResourceKind.FACILITY, category=Category.GYM)
    lab = factories.resource(owner_school=village, name=NAMES[4], category=Category.LAB)
    room = factories.resource(owner_school=other, name=NAMES[5], category=Category.MUSIC_ROOM)
    teacher = factories.user(role=Role.TEACHER, school=village, display_name=NAMES[6])
    add_booking(gym, village, local(9, 7, 9), local(9, 7, 10), outcome=BookingOutcome.USED, by=teacher)
    add_booking(gym, other, local(9, 8, 9), local(9, 8, 11))
    add_booking(lab, lead, local(9, 9, 14), local(9, 9, 15))
    add_booking(room, village, local(9, 10, 14), local(9, 10, 15))
    return lead


def test_the_cell_rule():
    assert [spreadsheet_cell(name) for name in NAMES] == ["'" + name for name in NAMES]
    assert spreadsheet_cell("体育馆 =1") == "体育馆 =1" and spreadsheet_cell("") == ""
    assert spreadsheet_cell(-1) == -1 and spreadsheet_cell(-2.5) == -2.5 and spreadsheet_cell(0) == 0


def test_xlsx_text_is_a_string_never_a_formula():
    sheet = Workbook().active
    append_xlsx_row(sheet, ["=1+1", "#N/A", "\x01=2", -3, "名字"])
    assert [cell.data_type for cell in sheet[1]] == ["s", "s", "s", "n", "s"]
    assert [cell.value for cell in sheet[1]] == ["'=1+1", "#N/A", "'=2", -3, "名字"]


def test_every_report_export_is_free_of_formulas(named_district, login_as):
    client = login_as(factories.user(role=Role.COORDINATOR))
    for args in (WEEK, {**WEEK, "school": named_district.id}):
        page = client.get("/reports/", query_string=args).get_data(as_text=True)
        links = sorted(set(EXPORT_LINK.findall(page)))
        assert "/reports/export/all.xlsx" in links and len(links) >= 2 * 11 + 1
        for link in links:
            response = client.get(link, query_string=args)
            assert response.status_code == 200, link
            if link.endswith(".csv"):
                text = "\n".join(",".join(row) for row in assert_no_formula_in_csv(response.data))
                written = [name for name in NAMES if "'" + name in text]
            else:
                values = assert_no_formula_in_xlsx(response.data)
                written = [name for name in NAMES if "'" + name in values]
            if link.endswith(("access_schools.csv", "all.xlsx")):
                assert written, f"{link} shows the schools' names, neutralised"
    workbook = load_workbook(io.BytesIO(client.get("/reports/export/all.xlsx", query_string=WEEK).data))
    numbers = [cell.value for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
               if isinstance(cell.value, (int, float))]
    assert numbers, "numbers stay numbers"


@pytest.mark.parametrize("kind", ["schools", "resources", "users"])
def test_import_templates_are_free_of_formulas(client, login_as, kind):
    login_as(factories.user(role=Role.COORDINATOR))
    response = client.get(f"/admin/import/{kind}/template.csv")
    assert response.status_code == 200 and len(assert_no_formula_in_csv(response.data)) == 2


def test_generated_passwords_file_is_free_of_formulas(client, login_as):
    login_as(factories.user(role=Role.COORDINATOR))
    factories.school(code="XT01")
    names = [name for name in NAMES if name.strip() == name]  # the import strips the cells
    data = "email,display_name,role,school_code,password\n" + "".join(
        f'u{n}@example.cn,"{name}",teacher,XT01,\n' for n, name in enumerate(names))
    queued = client.post("/admin/import/users", data={"file": (io.BytesIO(data.encode()), "u.csv")},
                         content_type="multipart/form-data")
    wait_for_workers()
    rows = assert_no_formula_in_csv(client.post(queued.headers["Location"] + "/passwords.csv").data)
    assert [row[1] for row in rows[1:]] == ["'" + name for name in names]


def test_the_csv_writer_neutralises_header_and_rows():
    rows = assert_no_formula_in_csv(write_table(["=h"], [[name] for name in NAMES]).encode("utf-8"))
    assert rows == [["'=h"], *(["'" + name] for name in NAMES)]
