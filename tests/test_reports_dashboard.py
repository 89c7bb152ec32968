"""The dashboard's first view (summaries and charts, tables a link each), the tables a page at a time,
the cache that is never stale after a write, the PDF of the equity report, the paged utilisation API."""
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import text, update

from booking.bookings import outcomes
from booking.bookings.models import Booking, BookingOutcome, BookingStatus
from booking.extensions import db
from booking.reports import cache, views
from booking.reports.access import Scope
from booking.reports.filters import Viewer
from booking.reports.services import build_report
from tests import factories
from tests.booking_support import count_statements
from tests.test_reports import add_booking, local, small_district, week_filter

WEEK = {"start": "2026-09-07", "end": "2026-09-11"}


@pytest.fixture
def district(app):
    cache.clear()
    return small_district()


def booking_scans(statements) -> list[str]:
    """The GROUP BY queries over the bookings (the version aggregate has no GROUP BY)."""
    return [s for s in statements if "FROM bookings" in s and "GROUP BY" in s]


def test_first_view_has_charts_and_links_not_the_long_tables(district, login_as):
    client = login_as(district.coordinator)
    response = client.get("/reports/", query_string=WEEK)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for key in ("access_primary", "lorenz", "utilisation_categories", "heatmap", "trend", "flows"):
        assert f'id="chart-{key}"' in page, key
    for key in ("access_schools", "utilisation_resources", "flow_matrix", "under_served"):
        assert f'href="/reports/tables/{key}?' in page, key
    assert "/reports/bookings?" not in page  # drill-down links live on the table pages
    assert "基尼" in page and "洛伦兹曲线" in page and "谁在使用谁的资源" in page
    assert 'href="/reports/equity.pdf?' in page


def test_each_figure_is_queried_once_and_then_served_from_the_cache(district, login_as):
    client = login_as(district.coordinator)
    with count_statements() as cold:
        client.get("/reports/", query_string=WEEK)
    scans = booking_scans(cold)
    assert len(scans) == len(set(scans)) == 4  # resource × period, school × provider (access, flows), weekday × period, day
    with count_statements() as warm:
        assert client.get("/reports/tables/access_schools", query_string=WEEK).status_code == 200
    assert booking_scans(warm) == []
    assert len(warm) < len(cold) - 4


def test_the_data_version_reads_no_booking_but_by_index(district):
    """The version under which figures are cached: counters and index lookups, no aggregate over the bookings."""
    with count_statements() as statements:
        cache.pinned(week_filter(district))
    (version,) = [s for s in statements if "bookings" in s]
    assert "feed_revisions" in version and "count(" not in version.lower() and "sum(" not in version.lower()
    assert "max(bookings.ends_at)" in version


def test_any_change_of_a_small_table_changes_its_digest(district):
    digests = [cache.tables_digest()]
    for statement in ("UPDATE schools SET enrollment = enrollment + 1", "UPDATE bell_periods SET number = number + 10",
                      "DELETE FROM opening_hours WHERE weekday = 0"):
        db.session.execute(text(statement))
        digests.append(cache.tables_digest())
    assert len(set(digests)) == len(digests)


def test_the_cache_is_never_stale_after_a_write(district):
    """Every kind of write changes the figures the next report shows, the clock standing still."""
    viewer = Viewer.of(district.coordinator)

    def received():
        rows = {row.school.name: row for row in build_report(week_filter(district), viewer).access.schools}
        return rows["村小一"].value(scope=Scope.SHARED)

    assert received() == 1
    booking = add_booking(district.gym, district.village, local(9, 10, 9), local(9, 10, 10))  # insert
    assert received() == 2
    outcomes.record_outcome(booking, BookingOutcome.NO_SHOW, "", district.coordinator)  # bare UPDATE, no sequence
    db.session.commit()
    assert received() == 1
    db.session.execute(update(Booking).where(Booking.id == booking.id)
                       .values(outcome=None, sequence=Booking.sequence + 1))
    db.session.commit()
    assert received() == 2
    booking = db.session.get(Booking, booking.id)
    booking.status = BookingStatus.CANCELLED  # an ORM update
    db.session.commit()
    assert received() == 1
    db.session.delete(booking)
    db.session.commit()
    assert received() == 1
    district.village.enrollment = 50  # a small table the figures read
    db.session.commit()
    assert build_report(week_filter(district), viewer).access.groups[0].main.shared.figures.level is not None


def test_teaching_and_opening_hours_outlive_a_booking_write(district):
    """They come from the small tables alone: a booking written makes the figures again, not them."""
    viewer = Viewer.of(district.coordinator)
    before = build_report(week_filter(district), viewer).utilisation.total
    add_booking(district.gym, district.village, local(9, 10, 9), local(9, 10, 10))
    with count_statements() as statements:
        after = build_report(week_filter(district), viewer).utilisation.total
    assert after.hours.booked.hours == before.hours.booked.hours + 1
    assert after.teaching_hours == before.teaching_hours and after.bookable_hours == before.bookable_hours
    assert booking_scans(statements) and not [s for s in statements if "JOIN resources" in s and "opening_hours" in s]


def test_a_booking_ending_moves_hours_to_delivered(district):
    from datetime import datetime, timezone

    from booking import clock

    viewer = Viewer.of(district.coordinator)
    clock.freeze(datetime(2026, 9, 9, 6, 30, tzinfo=timezone.utc))  # 14:30 local: the 14:00 lesson runs
    planned = build_report(week_filter(district), viewer).utilisation.total.hours
    clock.freeze(datetime(2026, 9, 9, 7, 30, tzinfo=timezone.utc))  # it has ended
    ended = build_report(week_filter(district), viewer).utilisation.total.hours
    assert ended.delivered.hours == planned.delivered.hours + 1 and ended.planned.hours == planned.planned.hours - 1


def test_tables_open_a_page_at_a_time(district, login_as, monkeypatch):
    monkeypatch.setattr(views, "TABLE_PAGE_SIZE", 1)
    client = login_as(district.coordinator)
    first = client.get("/reports/tables/access_schools", query_string=WEEK).get_data(as_text=True)
    second = client.get("/reports/tables/access_schools", query_string={**WEEK, "page": 2}).get_data(as_text=True)
    assert "第 1 / 3 页" in first  # three schools, the one without students too
    first_rows, second_rows = (re.search(r"<tbody>(.*?)</tbody>", page, re.S)[1] for page in (first, second))
    assert "领头小学" in first_rows and "村小一" not in first_rows
    assert "村小一" in second_rows and "领头小学" not in second_rows
    assert re.search(r'href="/reports/bookings\?[^"]*booker=', second)
    assert client.get("/reports/tables/nothing", query_string=WEEK).status_code == 404


def test_teachers_get_no_table_page_and_no_pdf(district, login_as):
    from booking.accounts.models import Role

    client = login_as(factories.user(role=Role.TEACHER, school=district.village))
    for path in ("/reports/tables/access_schools", "/reports/equity.pdf"):
        assert client.get(path, query_string=WEEK).status_code == 403


def test_equity_report_pdf_is_a_real_pdf_with_chinese_names(district, login_as):
    response = login_as(district.coordinator).get("/reports/equity.pdf", query_string=WEEK)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and "attachment" in response.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for phrase in ("领头小学", "村小一", "均衡发展报告", "洛伦兹曲线"):
        assert phrase in text, phrase


def test_pdf_fetches_nothing():
    from weasyprint.urls import URLFetchingError

    from booking.reports.pdf import NoNetwork

    for url in ("http://127.0.0.1:1/x.css", "https://example.cn/logo.png", "file:///etc/passwd"):
        with pytest.raises(URLFetchingError):
            NoNetwork().fetch(url)


def test_printable_report_has_its_charts(district, login_as):
    page = login_as(district.coordinator).get("/reports/equity/print", query_string=WEEK).get_data(as_text=True)
    assert 'id="chart-access_primary"' in page and 'id="chart-lorenz"' in page and page.count("<svg") >= 2


def test_utilisation_api_pages(district, login_as):
    other = factories.resource(owner_school=district.village, name="图书室")
    assert other.id
    client = login_as(district.coordinator)
    body = client.get("/api/v1/reports/utilization", query_string={**WEEK, "limit": 1}).get_json()
    assert (body["count"], body["limit"], body["offset"], len(body["items"])) == (2, 1, 0, 1)
    rest = client.get("/api/v1/reports/utilization", query_string={**WEEK, "limit": 1, "offset": 1}).get_json()
    assert {body["items"][0]["name"], rest["items"][0]["name"]} == {"体育馆", "图书室"}
    assert body["total"] == rest["total"]
