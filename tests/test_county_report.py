"""The county equity report (issue 17, item 4): the CVs over all the county's schools with each district's
beside them, for county coordinators only, as a page, CSV and XLSX. The world: ``tests/county_support.py``
(every school has 120 students; 1 September 2026, so the bookings of 3 and 4 September are planned)."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from math import log, sqrt

import pytest
from openpyxl import load_workbook

from booking import clock


SEPTEMBER = {"start": "2026-09-01", "end": "2026-09-30"}


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_county_coordinator_sees_the_county_cv_with_each_districts_beside_it(county_world, client, login_as):
    login_as(county_world.users["county_coordinator"])
    page = client.get("/reports/county/", query_string=SEPTEMBER)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "新天县" in html and "乙学区、甲学区</p>" in html  # by name; the county's own bodies are none
    assert "= T学区间 + T学区内</span>" in html and "T_between" not in html  # found untranslated in the formula
    # Planned shared access: A1 40 minutes (the centre), A2 none (its request waits), B1 40 minutes (the centre):
    # values x, 0, x for equal enrollments give a weighted CV of √2 / 2.
    rows = _csv(client.get("/reports/county/export/county_equity.csv", query_string=SEPTEMBER))
    header = next(index for index, row in enumerate(rows) if "Stage" in row or "学段" in row)
    shared = rows[header + 1]
    assert shared[2] == "3"
    assert float(shared[6]) == pytest.approx(sqrt(2) / 2, abs=1e-3)
    # Each district's beside the county's, delivered then planned (shared access first).
    districts = _csv(client.get("/reports/county/export/county_districts.csv", query_string=SEPTEMBER))
    by_name = {row[1]: row for row in districts if len(row) > 3 and row[1] in ("甲学区", "乙学区")}
    assert [float(cell) for cell in by_name["甲学区"][5:7]] == pytest.approx([1.0, sqrt(2) / 2], abs=1e-3)  # x, 0
    assert [float(cell) for cell in by_name["乙学区"][5:7]] == pytest.approx([0.0, sqrt(2) / 2], abs=1e-3)  # one
    assert by_name["甲学区"][3] == by_name["甲学区"][4] == ""  # nothing delivered yet
    # Three weeks later the same bookings are delivered: the same CVs on the delivered basis.
    clock.freeze(datetime(2026, 9, 21, 8, 0, tzinfo=timezone.utc))
    delivered = _csv(client.get("/reports/county/export/county_districts.csv", query_string=SEPTEMBER))
    by_name = {row[1]: row for row in delivered if len(row) > 3 and row[1] in ("甲学区", "乙学区")}
    assert [float(cell) for cell in by_name["甲学区"][3:5]] == pytest.approx([1.0, sqrt(2) / 2], abs=1e-3)
    theil = _csv(client.get("/reports/county/export/county_theil.csv", query_string=SEPTEMBER))
    shared_theil = next(row for row in theil if len(row) == 6 and row[0] == "小学")
    # x, 0, x: T = 2·(1/3)(3/2) ln(3/2) = ln(3/2); between: A (μ_A = x/2) and B (μ_B = x), μ = 2x/3.
    between = (2 / 3) * (3 / 4) * log(3 / 4) + (1 / 3) * (3 / 2) * log(3 / 2)
    assert [float(cell) for cell in shared_theil[2:5]] == pytest.approx([log(1.5), between, log(1.5) - between],
                                                                        abs=1e-3)
    pulls = _csv(client.get("/reports/county/export/county_pulls.csv", query_string=SEPTEMBER))
    assert [row[0] for row in pulls if len(row) == 7 and row[1] == "甲学区"] == ["甲二小学"]  # the one with none
    workbook = load_workbook(io.BytesIO(client.get("/reports/county/export/all.xlsx", query_string=SEPTEMBER).data))
    assert len(workbook.sheetnames) == 4


@pytest.mark.parametrize("role", ["head_a", "head_b", "area_b", "admin_b", "teacher_b"])
def test_nobody_else_opens_the_county_report(county_world, client, login_as, role):
    login_as(county_world.users[role])
    assert client.get("/reports/county/", query_string=SEPTEMBER).status_code == 403
    assert client.get("/reports/county/export/county_equity.csv", query_string=SEPTEMBER).status_code == 403


def test_bad_dates_are_refused_with_a_message(county_world, client, login_as):
    login_as(county_world.users["county_coordinator"])
    response = client.get("/reports/county/", query_string={"start": "2026-09-30", "end": "2026-09-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'name="end"' in page and 'aria-invalid="true"' in page
    assert "county_equity" not in page  # the period form with its message, no tables
    assert client.get("/reports/county/", query_string={"county": "x"}).status_code == 404


def test_the_period_is_chosen_on_the_page(county_world, client, login_as):
    """Regression (a new user's walk, 2026-12-06): another term could be had only by editing the address."""
    from booking.schools.models import Term
    from booking.extensions import db
    from sqlalchemy import select

    login_as(county_world.users["county_coordinator"])
    term = db.session.scalar(select(Term))
    page = client.get("/reports/county/", query_string={"term": term.id}).get_data(as_text=True)
    assert f'<option selected value="{term.id}">{term.name}</option>' in page
    assert 'value="2026-09-01"' in page and 'value="2027-01-22"' in page
    page = client.get("/reports/county/", query_string=SEPTEMBER).get_data(as_text=True)
    assert 'value="2026-09-30"' in page and 'name="county"' in page


def test_the_county_report_is_served_from_the_cache_until_a_booking_is_written(county_world, client, login_as):
    """Regression: the county report never pinned its data version, so every view ran its GROUP BY again
    (at 10M bookings a second view took as long as the first)."""
    from sqlalchemy import update

    from booking.bookings.models import Booking
    from booking.extensions import db
    from tests.booking_support import count_statements

    def group_bys() -> list[str]:
        with count_statements() as statements:
            assert client.get("/reports/county/", query_string=SEPTEMBER).status_code == 200
        return [s for s in statements if "FROM bookings" in s and "GROUP BY" in s]

    login_as(county_world.users["county_coordinator"])
    assert group_bys()
    assert group_bys() == []
    db.session.execute(update(Booking).where(Booking.id == county_world.bookings["b_shared"].id)
                       .values(status="cancelled", blocks=False))
    db.session.commit()
    assert group_bys()


def test_the_county_reports_own_scan_gives_the_district_reports_access_figures(county_world):
    """The county report groups by (school, source, kind) in SQL instead of summing (school, provider) pairs
    in Python: the same Bases, county-wide and for one district, on both bases."""
    from booking.reports.filters import Viewer, parse_filter
    from booking.reports.queries import hours_by_school_and_source, hours_by_school_source_kind

    clock.freeze(datetime(2026, 9, 4, 2, tzinfo=timezone.utc))  # 3 September delivered, 4 September planned
    for user in ("county_coordinator", "head_a", "head_b"):
        report_filter = parse_filter(Viewer.of(county_world.users[user]), SEPTEMBER)
        summed = hours_by_school_and_source(report_filter)
        assert summed and hours_by_school_source_kind(report_filter) == summed, user


def test_choosing_another_term_beside_the_dates_it_showed_reports_that_term(county_world, client, login_as):
    """Regression (a new user's walk, 2026-12-06): the date inputs keep the term they showed, and those dates
    beside another chosen term read as a custom range, so choosing a term changed nothing (the dashboard too)."""
    from datetime import date

    from booking.extensions import db
    from booking.schools.models import Term
    from tests import factories

    login_as(county_world.users["county_coordinator"])
    first = db.session.scalar(db.select(Term))
    second = factories.term(name="第二学期", start_date=date(2027, 2, 22), end_date=date(2027, 7, 9),
                            district_id=county_world.districts["A"].id)
    shown = {"start": "2026-09-01", "end": "2027-01-22", "shown": f"{first.id}|2026-09-01|2027-01-22"}
    custom = {"start": "2026-10-01", "end": "2026-11-30", "shown": "|2026-10-01|2026-11-30"}
    for path in ("/reports/county/", "/reports/"):
        for before in (shown, custom):  # a term shown before, or dates typed (a second walk: then it was ignored)
            page = client.get(path, query_string={**before, "term": second.id}).get_data(as_text=True)
            assert 'value="2027-02-22"' in page and 'value="2027-07-09"' in page, (path, before)
        typed = client.get(path, query_string={**shown, "term": second.id, "start": "2026-10-01"})
        assert 'value="2026-10-01"' in typed.get_data(as_text=True), path  # a date typed: the custom range
