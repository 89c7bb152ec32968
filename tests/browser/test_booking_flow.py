"""Issue 3's "Done when", tried as a new user would on a phone in Chinese: a teacher books a lab by
period, sees a clash explained with alternatives and takes one, books a term series skipping the
holiday, cancels one date; an approver approves a request."""
import re
from datetime import date

import pytest

from booking.accounts.models import Role
from booking.bookings.services import create_booking
from booking.resources.models import Category
from tests import factories
from tests.booking_support import freeze, single
from tests.browser.conftest import header_link, sign_in


@pytest.fixture
def district(app):
    """Tuesday 1 September 2026: a lead school's lab and gym, a tied school's teacher, a rival class."""
    freeze()
    lead = factories.school(name="新天寄宿制小学", is_lead=True)
    tied = factories.school(name="新天第七小学")
    factories.term(start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    factories.closure(start_date=date(2026, 10, 1), end_date=date(2026, 10, 7), reason="国庆节")
    lab = factories.resource(owner_school=lead, name="物理实验室")
    other_lab = factories.resource(owner_school=factories.school(name="李寨寄宿制小学"), name="科学实验室")
    factories.travel(tied, lead, 15)
    factories.travel(tied, other_lab.owner_school, 25)
    gym = factories.resource(owner_school=lead, name="体育馆", category=Category.GYM, approval_required=True)
    rival = factories.user(school=other_lab.owner_school)
    for day in (3, 17):  # 第3节 on two Thursdays
        create_booking(rival, single(lab, day=day, class_name="四年级1班", title="电路实验"))
    teacher = factories.user(email="li@example.cn", school=tied, display_name="李老师")
    factories.user(email="admin@example.cn", role=Role.SCHOOL_ADMIN, school=lead, display_name="王主任")
    return teacher, lab, gym


def fill_booking(page, day: str, period: str, *, repeat: str | None = None) -> None:
    page.get_by_label(re.compile("^日期")).fill(day)  # not 截止日期
    page.get_by_label("节次", exact=True).select_option(label=period)
    page.get_by_label("班级", exact=True).fill("三年级2班")
    page.get_by_label("学生人数").fill("32")
    page.get_by_label("用途").fill("光的折射")
    if repeat:
        page.get_by_label("重复").select_option(label=repeat)
    page.get_by_role("button", name="预约", exact=True).click()


def test_teacher_books_by_period_handles_a_clash_books_a_series_and_an_approver_approves(page, live_server, district):
    teacher, lab, gym = district
    sign_in(page, live_server, "li@example.cn")

    # The resource page shows the week grid in words, and books by period.
    header_link(page, "资源", exact=True).click()
    page.locator("main").get_by_role("link", name="物理实验室").click()
    grid = page.locator("table.week-grid")
    assert "星期二" in grid.inner_text() and "星期四" not in grid.inner_text()  # a phone shows one day
    for _ in range(2):  # Tuesday → Thursday
        page.locator(".day-steps").get_by_role("link", name="后一天").click()
    assert "已被 李寨寄宿制小学 四年级1班 (电路实验) 预约" in grid.inner_text()
    page.locator("main").get_by_role("button", name="预约", exact=True).click()
    fill_booking(page, "2026-09-02", "第2节 08:50–09:30")
    page.get_by_text("预约成功。").wait_for()
    assert "第2节 08:50–09:30" in page.locator("main").inner_text()

    # A clash is explained, with alternatives that fill in the form.
    page.goto(f"{live_server}/bookings/new/{lab.id}")
    fill_booking(page, "2026-09-03", "第3节 09:50–10:30")
    refusal = page.get_by_role("alert").filter(has_text="这个时间无法预约")
    refusal.wait_for()
    assert "已被占用" in refusal.inner_text() and "四年级1班" in refusal.inner_text()
    alternatives = page.locator("#alternatives > li")
    assert 1 <= alternatives.count() <= 5
    alternatives.first.get_by_role("button").click()
    assert page.get_by_label("班级", exact=True).input_value() == "三年级2班"
    page.get_by_role("button", name="预约", exact=True).click()
    page.get_by_text("预约成功。").wait_for()

    # A weekly series to the end of the term: the preview skips the holiday and shows the clash.
    page.goto(f"{live_server}/bookings/new/{lab.id}")
    fill_booking(page, "2026-09-10", "第3节 09:50–10:30", repeat="每周")
    page.get_by_role("heading", name="核对日期").wait_for()
    summary = page.locator("#preview-summary").inner_text()
    assert "共 20 个日期" in summary and "18 个空闲，1 个冲突，1 个停用日（跳过）" in summary
    assert "停用，跳过" in page.locator("li.date-closed").inner_text()
    page.get_by_role("button", name="预约 18 个空闲日期，跳过其余日期").click()
    page.get_by_text("已预约 18 个日期。").wait_for()

    # Cancel one date of the series.
    page.locator("main").get_by_role("link", name="2026年9月24日星期四").click()
    page.get_by_label("仅此日期").check()
    page.get_by_label("原因（相关人员会看到）").fill("学校运动会")
    page.get_by_role("button", name="取消预约").click()
    page.locator("#confirm-items").wait_for()  # the dates it will cancel, before anything changes
    page.locator("#confirm-button").click()
    page.get_by_text("已取消 1 个日期。").wait_for()
    assert "已取消" in page.locator(".status-cancelled").first.inner_text()
    assert page.locator("main .status-confirmed").count() == 17

    # A request for the gym waits; the lead school's admin approves it.
    page.goto(f"{live_server}/bookings/new/{gym.id}")
    fill_booking(page, "2026-09-04", "第5节 14:00–14:40")
    page.get_by_text("申请已提交，将由资源所属学校审批。").wait_for()
    page.context.clear_cookies()
    sign_in(page, live_server, "admin@example.cn")
    header_link(page, "审批").click()
    request = page.locator("article").filter(has_text="体育馆")
    assert "三年级2班" in request.inner_text() and "申请人：李老师" in request.inner_text()
    request.get_by_role("button", name="批准").click()
    page.get_by_text("已批准 1 个日期。").wait_for()
    assert page.get_by_text("没有待审批的申请。").is_visible()
