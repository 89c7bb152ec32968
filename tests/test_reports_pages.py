"""The report pages and exports: who sees what, filters with bad input, drill-down, CSV/XLSX, the print page."""
import csv
import io
import re
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from booking import clock
from booking.accounts.models import Role
from tests import factories
from tests.test_reports import small_district

WEEK = {"start": "2026-09-07", "end": "2026-09-11"}


@pytest.fixture
def district(app):
    return small_district()


def csv_rows(response) -> list[list[str]]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_teachers_see_no_reports(district, login_as):
    client = login_as(factories.user(role=Role.TEACHER, school=district.village))
    for path in ("/reports/", "/reports/export/all.xlsx", "/reports/export/equity.csv", "/reports/bookings",
                 "/reports/equity/print", "/api/v1/reports/equity", "/api/v1/reports/utilization"):
        assert client.get(path, query_string=WEEK).status_code == 403, path
    assert "/reports/" not in client.get("/resources/").get_data(as_text=True)


def test_coordinator_dashboard_shows_every_figure(district, login_as):
    client = login_as(district.coordinator)
    response = client.get("/reports/", query_string=WEEK)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("使用与均衡统计", "低于学段水平的学校", "领头小学", "村小一", "村小零", "0.500", "<svg",
                 "日期范围：2026年9月7日 – 2026年9月11日", 'href="/reports/"'):
        assert text in page, text


def test_default_range_is_the_current_term(district, login_as):
    clock.freeze(datetime(2026, 9, 9, 4, tzinfo=timezone.utc))
    factories.term(name="秋季学期", start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    page = login_as(district.coordinator).get("/reports/").get_data(as_text=True)
    assert "日期范围：2026年9月1日 – 2027年1月22日" in page


def visible_text(html: str) -> str:
    """What a reader sees: no tags (so no attribute values: links and form fields keep ISO dates)."""
    return re.sub(r"<[^>]*>", " ", html)


@pytest.mark.parametrize("path", ["/reports/", "/reports/tables/trend", "/reports/tables/summary", "/",
                                  "/reports/equity/print"])
def test_dates_are_written_the_one_way_on_report_pages(district, login_as, path):
    """Regression: the date range, the bases' "as of" and the weeks were written 2026-09-07 beside 2026年9月7日."""
    clock.freeze(datetime(2026, 9, 12, 4, tzinfo=timezone.utc))
    page = login_as(district.coordinator).get(path, query_string=WEEK)
    assert page.status_code == 200
    text = visible_text(page.get_data(as_text=True))
    assert not re.findall(r"\d{4}-\d{2}-\d{2}|\b\d{2}-\d{2}\b", text), re.findall(r".{20}\d{4}-\d{2}-\d{2}.{10}", text)


@pytest.mark.parametrize("args, message", [
    ({"start": "2026-09-11", "end": "2026-09-07"}, "结束日期不能早于开始日期。"),
    ({"start": "2026-13-01", "end": "2026-09-07"}, "请按 YYYY-MM-DD 格式填写开始日期。"),
    ({"start": "2026-09-07"}, "请同时填写开始日期和结束日期"),
    ({"start": "2025-01-01", "end": "2026-09-07"}, "一份报表最多涵盖 400 天。"),
    ({"term": "999"}, "请从列表中选择学期。"),
    ({"category": "pool", **WEEK}, "请从列表中选择类别。"),
    ({"school": "abc", **WEEK}, "请从列表中选择学校。"),
])
def test_bad_filters_are_named_not_500(district, login_as, args, message):
    response = login_as(district.coordinator).get("/reports/", query_string=args)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_school_admin_sees_own_school_and_aggregates(district, login_as):
    client = login_as(factories.user(role=Role.SCHOOL_ADMIN, school=district.village))
    page = client.get("/reports/", query_string=WEEK).get_data(as_text=True)
    assert "您可以看到本校的明细和全学区的汇总数据。" in page
    names = [row[0] for row in csv_rows(client.get("/reports/export/access_schools.csv", query_string=WEEK))[4:]]
    assert names == ["村小一"]
    equity = csv_rows(client.get("/reports/export/equity.csv", query_string=WEEK))
    assert equity[4][equity[3].index("共享获得：差异系数（按学生数加权）")] == "1.0"  # the district's, an aggregate
    assert csv_rows(client.get("/reports/export/under_served.csv", query_string=WEEK))[4:] == []
    other = client.get("/reports/", query_string={**WEEK, "school": district.lead.id})
    assert other.status_code == 422 and "您只能查看您所管理学校的数据。" in other.get_data(as_text=True)


def test_csv_export_has_title_range_and_numbers(district, login_as):
    client = login_as(district.coordinator)
    response = client.get("/reports/export/under_served.csv", query_string=WEEK)
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["共享获得低于学段水平的学校"] and rows[1] == ["日期范围：2026年9月7日 – 2026年9月11日"]
    assert rows[2][0].startswith("统计口径")
    assert rows[4][0] == "领头小学" and [float(v) for v in rows[4][4:8]] == [0.0, 0.5, 0.0, 0.5]


def test_xlsx_export_of_every_table(district, login_as):
    response = login_as(district.coordinator).get("/reports/export/all.xlsx", query_string=WEEK)
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.sheetnames) == 13 and "共享获得低于学段水平的学校" in workbook.sheetnames
    sheet = workbook["按类别统计的使用率"]
    header_row = next(i for i, row in enumerate(sheet.iter_rows(values_only=True), 1) if row[0] == "类别")
    gym = [cell.value for cell in sheet[header_row + 1]]
    # No term in the small district, so no teaching time; opening hours 36, 3 h delivered, 2 h no-show.
    assert gym[:2] == ["体育馆", 0] and gym[4:6] == [36, pytest.approx(round(5 / 36, 4))]
    assert gym[6:9] == [3, 0, 2]
    assert sheet.cell(header_row + 1, 6).number_format == "0.0%"


@pytest.mark.parametrize("path", ["/reports/export/nothing.csv", "/reports/export/all.csv", "/reports/export/equity.pdf"])
def test_unknown_exports_are_404(district, login_as, path):
    assert login_as(district.coordinator).get(path, query_string=WEEK).status_code == 404


def test_drill_down_lists_the_bookings_behind_a_number(district, login_as):
    client = login_as(district.coordinator)
    page = client.get("/reports/tables/access_schools", query_string=WEEK).get_data(as_text=True)
    link = re.search(rf'href="(/reports/bookings\?[^"]*booker={district.village.id}[^"]*)"', page)[1]
    listing = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    # The village's hours received from other schools, delivered: the no-show is not behind that number.
    assert "1 条已确认的预约" in listing and "范围内共 1.0 小时" in listing and "统计口径：已完成" in listing
    assert "村小一" in listing and "村小零" not in listing


def test_drill_down_by_weekday_and_hour(district, login_as):
    client = login_as(district.coordinator)
    listing = client.get("/reports/bookings", query_string={**WEEK, "weekday": 0, "hour": 9}).get_data(as_text=True)
    assert "1 条已确认的预约" in listing and "领头小学" in listing


def test_drill_down_refuses_bad_parameters(district, login_as):
    response = login_as(district.coordinator).get("/reports/bookings", query_string={**WEEK, "hour": "25"})
    assert response.status_code == 422 and "hour" in response.get_data(as_text=True)


def test_school_admin_drill_down_keeps_to_own_school(district, login_as):
    client = login_as(factories.user(role=Role.SCHOOL_ADMIN, school=district.village))
    listing = client.get("/reports/bookings", query_string={**WEEK, "owner": district.lead.id}).get_data(as_text=True)
    assert "2 条已确认的预约" in listing and "村小零" not in listing


def test_printable_equity_report(district, login_as):
    page = login_as(district.coordinator).get("/reports/equity/print", query_string=WEEK).get_data(as_text=True)
    for text in ("均衡发展报告", "日期范围：2026年9月7日 – 2026年9月11日", "CV = √( Σ (P_i / P) (X_i − X̄)² ) / X̄",
                 "G = Σ_i Σ_j P_i P_j |X_i − X_j| / (2 P² X̄)", "css/reports.css", "校际差异", "领头小学"):
        assert text in page, text
