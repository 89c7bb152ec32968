"""Make-up teaching days and the breaks between terms, in the browser in Chinese, on a phone and a desktop:
the coordinator adds a 补班 Sunday, a teacher books it from the week grid, and a booking in the winter
break asks for confirmation first."""
from datetime import date

import pytest

from booking.accounts.models import Role
from tests import factories
from tests.booking_support import freeze
from tests.browser.conftest import sign_in
from tests.browser.test_booking_flow import fill_booking


@pytest.fixture
def district(app):
    freeze()
    school = factories.school(name="新天寄宿制小学", is_lead=True)
    factories.term(name="第一学期", start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    factories.term(name="第二学期", start_date=date(2027, 2, 22), end_date=date(2027, 7, 9))
    lab = factories.resource(owner_school=school, name="物理实验室")
    factories.user(email="li@example.cn", school=school, display_name="李老师")
    factories.user(email="boss@example.cn", role=Role.COORDINATOR, display_name="学区长")
    return lab


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 900}])
def test_a_makeup_sunday_is_added_and_booked_and_the_winter_break_asks_first(page, live_server, district, size):
    page.set_viewport_size(size)
    lab = district
    sign_in(page, live_server, "boss@example.cn")
    page.goto(f"{live_server}/admin/closures")
    page.get_by_role("link", name="调休上课日（补班）").click()
    page.get_by_role("link", name="新增调休上课日").click()
    page.get_by_label("日期").fill("2026-09-20")
    page.get_by_label("按星期几的课表上课").select_option(label="星期五")
    page.get_by_label("原因").fill("国庆节补班")
    page.get_by_role("button", name="保存调休上课日").click()
    page.get_by_text("已添加调休上课日。").wait_for()
    # (on a phone the reason column is left out: in the table, not shown)
    assert "国庆节补班" in page.locator("table").text_content() and "星期五" in page.locator("table").inner_text()
    page.context.clear_cookies()

    sign_in(page, live_server, "li@example.cn")
    page.goto(f"{live_server}/resources/{lab.id}?week=2026-09-14&day=2026-09-20")  # a phone shows that day
    grid = page.locator("table.week-grid")
    assert "调休上课：按星期五课表" in grid.inner_text()
    grid.locator('a[href*="day=2026-09-20"]').first.click()
    page.get_by_label("用途").fill("光的折射")
    page.get_by_role("button", name="预约", exact=True).click()
    page.get_by_text("预约成功。").wait_for()

    page.goto(f"{live_server}/bookings/new/{lab.id}")
    fill_booking(page, "2027-02-01", "第3节 09:50–10:30")
    confirm = page.get_by_label("是的，我确需在学期之间预约")
    confirm.wait_for()
    assert "在“第一学期”与“第二学期”两个学期之间" in page.locator("main").inner_text()
    confirm.check()
    page.get_by_role("button", name="预约", exact=True).click()
    page.get_by_text("预约成功。").wait_for()
