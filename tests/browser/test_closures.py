"""A coordinator closes a school day that has bookings, on a phone and on a desktop: the page lists them,
asks, and after "keep" the closures page flags them."""
import pytest

from booking.accounts.models import Role
from tests import factories
from tests.browser.axe import assert_accessible
from tests.browser.conftest import sign_in


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_a_closure_lists_the_bookings_it_hits_and_keeps_them_flagged(page, live_server, day_of_twenty, viewport):
    school, booked = day_of_twenty
    page.set_viewport_size(viewport)
    factories.user(role=Role.COORDINATOR, email="zhou@example.cn")
    sign_in(page, live_server, "zhou@example.cn")
    page.goto(f"{live_server}/admin/closures/new")
    page.get_by_label("停课范围").select_option(label=school.name)
    page.get_by_label("开始日期").fill("2026-09-03")
    page.get_by_label("结束日期").fill("2026-09-03")
    page.get_by_label("开始时间").fill("08:00")
    page.get_by_label("结束时间").fill("12:00")
    page.get_by_label("原因").fill("开放日")
    page.get_by_role("button", name="保存停课日").click()

    table = page.locator("#affected-bookings")
    table.wait_for()
    assert table.locator("tbody tr").count() == 12  # the morning's lessons only
    assert_accessible(page)
    assert "12 个预约" in page.locator("#affected-summary").inner_text()
    page.get_by_role("button", name="保存停课并保留这些预约").click()

    page.get_by_text("12 个预约保留，并在停课页面上标出。").wait_for()
    flagged = page.get_by_role("region", name="停课日上保留的预约")
    assert flagged.locator("tbody tr").count() == 12 and "开放日" in flagged.inner_text()
    assert "08:00–12:00" in page.locator("table").last.inner_text()
    assert_accessible(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
