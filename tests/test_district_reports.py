"""The district report of one district of the demo county (issue 17): a district's coordinator, area
coordinator and school admin see their own district's schools and figures only, by every route of the
report — the dashboard, each table, the printable equity page, the drill-down, the CSV and XLSX exports, the
API — and the county coordinator chooses the district (``district``), every district by default.

The world: the seeded demo (``tests/demo_support.py``) with a few delivered bookings in 东河学区 (the demo
books 新天学区 only) and a coordinator of 新天学区 (the demo's coordinator@ is county-wide).
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from booking.accounts.models import Role, User
from booking.bookings.models import Booking, BookingOutcome, BookingStatus
from booking.extensions import db
from booking.i18n import district_zone
from booking.reports.services import TABLE_KEYS
from booking.resources.models import Resource
from booking.schools.models import District, School
from tests import factories
from tests.api_support import bearer
from tests.demo_support import seeded_demo  # noqa: F401  (fixture)

WEEK = {"start": "2026-11-16", "end": "2026-11-20"}
PASSWORDS = {"head.xintian@demo.xq": "secret-pass"}
ROLES = {  # who → their district
    "coordinator.donghe@demo.xq": "东河学区", "admin.dh01@demo.xq": "东河学区",
    "head.xintian@demo.xq": "新天学区", "coordinator.shangpian@demo.xq": "新天学区",
}
OTHER = {"东河学区": "新天学区", "新天学区": "东河学区"}


def _at(day: int, hour: int) -> datetime:
    return datetime.combine(date(2026, 11, day), time(hour), tzinfo=district_zone())


def _add_donghe_bookings() -> None:
    """Delivered lessons in 东河学区's lead school, its own classes and a village's."""
    lead = db.session.scalar(select(School).where(School.code == "DH01"))
    village = db.session.scalar(select(School).where(School.code == "DH01-01"))
    room = db.session.scalar(select(Resource).where(Resource.owner_school_id == lead.id).order_by(Resource.id))
    teacher = db.session.scalar(select(User).where(User.email == "teacher.dh01@demo.xq"))
    for day, school in ((16, lead), (17, lead), (18, village), (19, village)):
        db.session.add(Booking(resource_id=room.id, school_id=school.id, booked_by_id=teacher.id, title="东河课",
                               starts_at=_at(day, 9), ends_at=_at(day, 10), status=BookingStatus.CONFIRMED,
                               blocks=False,
                               outcome=BookingOutcome.USED, students=40))
    db.session.commit()


@pytest.fixture(scope="module")
def world(seeded_demo):  # noqa: F811
    """The demo with 东河学区's bookings, a 新天学区 coordinator, and a signed-in client for each role."""
    with seeded_demo.app.app_context():
        districts = {d.name: d for d in db.session.scalars(select(District))}
        factories.user(role=Role.COORDINATOR, district_id=districts["新天学区"].id, email="head.xintian@demo.xq",
                       display_name="新天学区长")
        _add_donghe_bookings()
        names = {name: frozenset(db.session.scalars(select(School.name).where(School.district_id == d.id)))
                 for name, d in districts.items()}
        ids = {name: d.id for name, d in districts.items()}
        clients = {}
        for email in (*ROLES, "county@demo.xq"):
            client = seeded_demo.app.test_client()
            response = client.post("/login", data={"email": email, "password": PASSWORDS.get(email, "demo1234")})
            assert response.status_code == 302, email
            clients[email] = client
        tokens = {email: bearer(db.session.scalar(select(User).where(User.email == email))) for email in clients}
    yield {"names": names, "ids": ids, "clients": clients, "tokens": tokens}


def _html(client, path, **args) -> str:
    response = client.get(path, query_string={**WEEK, **args})
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _csv(client, key: str, **args) -> str:
    return _html(client, f"/reports/export/{key}.csv", **args)


def _xlsx_text(client, **args) -> str:
    response = client.get("/reports/export/all.xlsx", query_string={**WEEK, **args})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as book:
        return "".join(book.read(name).decode() for name in book.namelist() if name.endswith(".xml"))


def _api(world, email, path, **args) -> dict:
    response = world["clients"][email].get(path, headers=world["tokens"][email], query_string={**WEEK, **args})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


# Each route family of the report: the text it shows a user (where the schools' names would be).
FAMILIES = {
    "dashboard": lambda world, email: _html(world["clients"][email], "/reports/"),
    "tables": lambda world, email: "".join(_html(world["clients"][email], f"/reports/tables/{key}")
                                           for key in TABLE_KEYS),
    "equity_print": lambda world, email: _html(world["clients"][email], "/reports/equity/print"),
    "drilldown": lambda world, email: _html(world["clients"][email], "/reports/bookings"),
    "csv": lambda world, email: "".join(_csv(world["clients"][email], key) for key in TABLE_KEYS),
    "xlsx": lambda world, email: _xlsx_text(world["clients"][email]),
    "api_utilization": lambda world, email: str([_api(world, email, "/api/v1/reports/utilization", group=group)
                                                 for group in ("resource", "school")]),
    "api_equity": lambda world, email: str(_api(world, email, "/api/v1/reports/equity")),
}


@pytest.mark.parametrize("email", list(ROLES))
@pytest.mark.parametrize("family", list(FAMILIES))
def test_nobody_sees_another_districts_schools_in_a_report(world, in_demo, email, family):
    shown = FAMILIES[family](world, email)
    own, other = ROLES[email], OTHER[ROLES[email]]
    assert {name for name in world["names"][other] if name in shown} == set()
    if family != "dashboard":  # the dashboard names no school until a table is opened
        assert any(name in shown for name in world["names"][own])


@pytest.mark.parametrize("email", list(ROLES))
def test_the_figures_are_the_districts_own(world, in_demo, email):
    """The summary (every headline figure) is the one the county coordinator sees for that district, never the
    county's; the API's totals are the sums of the district's rows, its equity counts the district's schools."""
    county = world["clients"]["county@demo.xq"]
    district_id = world["ids"][ROLES[email]]
    mine = _csv(world["clients"][email], "summary")
    assert mine == _csv(county, "summary", district=district_id)
    assert mine != _csv(county, "summary")
    usage = _api(world, email, "/api/v1/reports/utilization", group="category", limit=200)
    assert usage["district_id"] == district_id
    assert usage["total"]["hours"]["delivered"] == pytest.approx(sum(row["hours"]["delivered"]
                                                                     for row in usage["items"]))
    equity = _api(world, email, "/api/v1/reports/equity")
    counted = sum(group["indicators"][0]["schools"] for group in equity["groups"] if group["stage"] is not None)
    schools = db.session.scalars(select(School).where(School.district_id == district_id, School.active.is_(True),
                                                      School.district_owned.is_(False), School.enrollment > 0))
    assert counted == len(list(schools))


@pytest.mark.parametrize("email", list(ROLES))
def test_asking_for_the_other_district_is_refused(world, in_demo, email):
    other = world["ids"][OTHER[ROLES[email]]]
    client = world["clients"][email]
    for path in ("/reports/", "/reports/tables/summary", "/reports/export/summary.csv", "/reports/equity.pdf"):
        assert client.get(path, query_string={**WEEK, "district": other}).status_code == 422, path
    assert client.get("/reports/bookings", query_string={**WEEK, "owner_district": other}).status_code == 422
    for path in ("/api/v1/reports/utilization", "/api/v1/reports/equity"):
        response = client.get(path, headers=world["tokens"][email], query_string={**WEEK, "district": other})
        assert response.status_code == 422 and "district" in response.get_json()["fields"]


def test_the_county_coordinator_chooses_the_district(world, in_demo):
    client = world["clients"]["county@demo.xq"]
    page = _html(client, "/reports/")
    assert "东河学区" in page and "新天学区" in page  # the district selector, every district by default
    donghe = world["ids"]["东河学区"]
    shown = "".join(_csv(client, key, district=donghe) for key in TABLE_KEYS)
    assert not any(name in shown for name in world["names"]["新天学区"])
    assert any(name in shown for name in world["names"]["东河学区"])
    everyone = _csv(client, "utilisation_schools")
    assert any(name in everyone for name in world["names"]["新天学区"])
    assert any(name in everyone for name in world["names"]["东河学区"])
    assert client.get("/reports/", query_string={**WEEK, "district": 99999}).status_code == 422



def _title(page: str) -> str:
    return page.split("<h1>", 1)[1].split("</h1>", 1)[0]


@pytest.mark.parametrize("email", list(ROLES))
def test_a_districts_pages_are_titled_with_its_own_name(world, in_demo, email):
    """The printed equity report and the header name the district the user belongs to (found titled 新天学区,
    the installation's configured name, over 东河学区's schools)."""
    own, other = ROLES[email], OTHER[ROLES[email]]
    page = _html(world["clients"][email], "/reports/equity/print")
    assert own in _title(page) and other not in _title(page)
    header = page.split('class="district">', 1)[1].split("<", 1)[0]
    assert header == own


def test_the_county_coordinators_report_says_which_district_it_covers(world, in_demo):
    client = world["clients"]["county@demo.xq"]
    everyone = _html(client, "/reports/equity/print")
    assert "新天县" in _title(everyone) and "学区" not in _title(everyone)
    assert "新天县" in _csv(client, "summary")  # the export's heading says it covers the whole county
    donghe = _html(client, "/reports/equity/print", district=world["ids"]["东河学区"])
    assert "东河学区" in _title(donghe)
    assert "东河学区" in _csv(client, "summary", district=world["ids"]["东河学区"])


def test_the_county_wide_pdf_has_no_page_left_nearly_blank(world, in_demo):
    """A stage of thirty schools drew a bar chart taller than an A4 page: its caption was left alone on one page
    and the 图表 heading alone on the page before; values (小学) broke into one character a line."""
    response = world["clients"]["county@demo.xq"].get("/reports/equity.pdf", query_string=WEEK)
    assert response.status_code == 200
    pages = [[line for line in page.extract_text().splitlines() if line.strip()]
             for page in PdfReader(io.BytesIO(response.data)).pages]
    assert all(len(lines) > 5 for lines in pages), [lines[:3] for lines in pages]
    assert not any(line.strip() == "小" for lines in pages for line in lines)  # 小学 in one piece
    chart_page = next(lines for lines in pages if any(line.startswith("图表") for line in lines))
    assert any(name in "".join(chart_page) for name in world["names"]["新天学区"])  # the chart is on the page


def _mandates_api(world, email) -> str:
    response = world["clients"][email].get("/api/v1/mandates", headers=world["tokens"][email])
    assert response.status_code == 200, response.get_json()
    return str(response.get_json())  # the names as text (the body escapes them as \\uXXXX)


@pytest.mark.parametrize("email", list(ROLES))
def test_mandate_progress_names_only_the_districts_own_tied_schools(world, in_demo, email):
    """Found: 东河学区's coordinator read 新天学区's 走教任务 (22 tied schools, six behind) on the home page, the
    mandates page and through the API."""
    client, other = world["clients"][email], OTHER[ROLES[email]]
    shown = _html(client, "/") + _html(client, "/teachers/mandates") + _mandates_api(world, email)
    assert {name for name in world["names"][other] if name in shown} == set()
    if ROLES[email] == "新天学区":  # the demo's visiting teachers serve 新天学区
        assert any(name in shown for name in world["names"]["新天学区"])


def test_the_county_coordinator_sees_every_districts_mandates(world, in_demo):
    shown = _mandates_api(world, "county@demo.xq")
    assert any(name in shown for name in world["names"]["新天学区"])


def test_a_closure_of_no_one_school_says_it_closes_the_whole_county(world, in_demo):
    """A closure without a school closes every school of the installation (the booking rules read no
    district): in the demo county the choice was labelled 全学区, which read as one district."""
    page = _html(world["clients"]["county@demo.xq"], "/admin/closures/new")
    assert '<option value="">新天县全部学校</option>' in page or '<option selected value="">新天县全部学校</option>' in page


def test_the_county_coordinators_school_list_says_each_schools_district(world, in_demo):
    """Found: both districts' schools mixed with no district named, and the youth activity centre as a 小学."""
    page = _html(world["clients"]["county@demo.xq"], "/admin/schools")
    row = page.split("新天县青少年活动中心</a>", 1)[1].split("</tr>", 1)[0]
    assert "县直属单位" in row and "小学" not in row
    row = page.split("东河寄宿制小学</a>", 1)[1].split("</tr>", 1)[0]
    assert "<td class=\"opt\">东河学区</td>" in row
