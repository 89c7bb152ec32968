"""The mandate planner as a district coordinator uses it, in Chinese: on a phone, open the plan from the
mandate page, read each school's coverage (art has no teacher here, and the page says so), then book the
plan; on a desktop, the itinerary of each teacher week by week."""
from __future__ import annotations

from tests.browser.axe import assert_accessible
from tests.browser.conftest import sign_in


def assert_fits(page) -> None:
    """axe-core finds nothing serious, and nothing scrolls sideways (the tables scroll inside their frame)."""
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 1


def test_the_coordinator_plans_the_term_on_a_phone_and_books_it(page, live_server, district):
    sign_in(page, live_server, "zhou@example.cn")
    page.goto(f"{live_server}/teachers/mandates")
    page.get_by_role("button", name="安排本学期余下的走教").click()
    page.get_by_role("heading", name="走教计划").wait_for()
    summary = page.locator("#plan-summary").inner_text()
    assert "有 3 项任务无法完成" in summary  # art, at each of the three tied schools
    coverage = page.locator("#plan-coverage")
    row = coverage.locator("tr").filter(has_text="王庄小学")
    assert "没有为该校服务的走教教师任教这门学科" in row.inner_text()
    assert "3 / 3" in row.inner_text()
    assert_fits(page)
    page.get_by_role("button", name="预约这").click()
    page.get_by_text("已按计划预约").wait_for()
    assert "/teachers/mandates" in page.url


def test_the_itinerary_per_teacher_on_a_desktop(browser, live_server, district):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "zhou@example.cn")
        page.goto(f"{live_server}/teachers/mandates/plan")
        first = page.locator("details.plan-teacher").first
        assert first.get_attribute("open") is not None
        text = first.inner_text()
        assert "这一周" in text and "示范课" in text and "分钟" in text
        assert page.locator("details.plan-teacher").count() == 3  # 张丽, 刘芳, 王强
        assert_fits(page)
    finally:
        context.close()
