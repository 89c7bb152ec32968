"""GET /api/v1/reports/utilization and /equity: documented, strict, and equal to the page's numbers."""
import pytest

from booking.accounts.models import Role
from tests import factories
from tests.api_support import assert_documented, get_json
from tests.test_reports import small_district
from tests.test_reports_pages import WEEK, csv_rows


@pytest.fixture
def district(app):
    return small_district()


def test_equity_api_matches_the_hand_figures_and_its_schema(district, client):
    body = get_json(client, "/api/v1/reports/equity?start=2026-09-07&end=2026-09-11", district.coordinator)
    assert_documented(client, body, "/reports/equity")
    schools = {school["name"]: school for school in body["schools"]}
    village = schools["村小一"]
    assert village["shared"]["hours_per_100_students"] == {"delivered": 1, "planned": 0, "no_show": 2}
    assert village["received_hours"]["delivered"] == 1 and schools["领头小学"]["own_hours"]["delivered"] == 1
    assert schools["村小零"]["total"]["hours_per_100_students"]["delivered"] is None
    main = body["groups"][0]["indicators"][0]
    assert (body["groups"][0]["stage"], main["indicator"], main["basis"]) == ("primary", "hours", "delivered")
    assert main["shared"]["cv_weighted"] == pytest.approx(1) and main["total"]["cv_weighted"] == pytest.approx(0)
    assert (main["threshold"], main["shared"]["passes"], main["total"]["passes"]) == (0.5, False, True)
    assert body["under_served"] == [{"id": district.lead.id, "name": "领头小学", "hours_per_100_students": 0.0,
                                     "stage_level_per_100_students": 0.5, "hours_needed": 0.5}]


def test_equity_api_equals_the_page(district, client, login_as):
    """The API's numbers are the dashboard's: compared with the page's own tables (their CSV export)."""
    body = get_json(client, "/api/v1/reports/equity?start=2026-09-07&end=2026-09-11&category=gym",
                    district.coordinator)
    page = login_as(district.coordinator)
    access_rows = csv_rows(page.get("/reports/export/access_schools.csv", query_string={**WEEK, "category": "gym"}))
    header = access_rows[4]  # after the title, the range, the bases and the category
    column = header.index("每百名学生共享获得（已完成）")
    page_per_100 = {row[0]: row[column] for row in access_rows[5:]}
    api_per_100 = {s["name"]: "" if (value := s["shared"]["hours_per_100_students"]["delivered"]) is None
                   else str(round(value, 4)) for s in body["schools"]}
    assert page_per_100 == api_per_100
    equity_rows = csv_rows(page.get("/reports/export/equity.csv", query_string={**WEEK, "category": "gym"}))
    column = equity_rows[4].index("共享获得：差异系数（按学生数加权）")
    page_cv = [float(row[column]) if row[column] else None for row in equity_rows[5:]]
    api_cv = [None if item["shared"]["cv_weighted"] is None else round(item["shared"]["cv_weighted"], 4)
              for group in body["groups"] for item in group["indicators"]]
    assert page_cv == api_cv and page_cv[0] == 1


@pytest.mark.parametrize("group, expected", [("resource", "体育馆"), ("category", "gym"), ("school", "领头小学")])
def test_utilization_api_equals_the_page(district, client, login_as, group, expected):
    body = get_json(client, f"/api/v1/reports/utilization?start=2026-09-07&end=2026-09-11&group={group}",
                    district.coordinator)
    assert_documented(client, body, "/reports/utilization")
    [item] = body["items"]
    assert item["name"] == expected
    assert (item["bookable_hours"], item["hours"], item["used_hours"]) == (
        36, {"delivered": 3, "planned": 0, "no_show": 2}, 1)
    assert item["utilization"] == pytest.approx(5 / 36) and item["no_show_rate"] == pytest.approx(2 / 5)
    table = {"resource": "utilisation_resources", "category": "utilisation_categories",
             "school": "utilisation_schools"}[group]
    rows = csv_rows(login_as(district.coordinator).get(f"/reports/export/{table}.csv", query_string=WEEK))
    header, first = rows[3], rows[4]  # title, date range and bases above the header
    page = dict(zip(header, first))
    assert float(page["开放时长利用率（预约：已完成 + 计划 + 未到场）"]) == round(item["utilization"], 4)
    assert float(page["使用小时数（已完成）"]) == item["hours"]["delivered"]


def test_utilization_api_defaults_to_the_current_term_and_resources(district, client):
    body = get_json(client, "/api/v1/reports/utilization", district.coordinator)
    assert body["group"] == "resource" and body["start"] <= body["end"]


@pytest.mark.parametrize("query, field", [
    ("start=2026-09-11&end=2026-09-07", "end"),
    ("start=2026-9-7&end=2026-09-11", "start"),
    ("start=2026-09-07", "end"),
    ("start=2026-09-07&end=2026-09-11&group=room", "group"),
    ("start=2026-09-07&end=2026-09-11&start=2026-09-08", "start"),
])
def test_utilization_api_names_bad_parameters(district, client, query, field):
    body = get_json(client, f"/api/v1/reports/utilization?{query}", district.coordinator, status=422)
    assert field in body["fields"]


def test_equity_api_refuses_unknown_stage(district, client):
    body = get_json(client, "/api/v1/reports/equity?stage=college", district.coordinator, status=422)
    assert list(body["fields"]) == ["stage"]


def test_school_admin_gets_own_rows_and_aggregates(district, client):
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=district.village)
    body = get_json(client, "/api/v1/reports/equity?start=2026-09-07&end=2026-09-11", admin)
    assert [s["name"] for s in body["schools"]] == ["村小一"] and body["under_served_count"] == 1
    usage = get_json(client, "/api/v1/reports/utilization?start=2026-09-07&end=2026-09-11", admin)
    assert usage["items"] == [] and sum(usage["total"]["hours"].values()) == 5


def test_reports_need_a_token_or_session(district, client):
    assert client.get("/api/v1/reports/equity").status_code == 401
