"""The notifications list in the browser: the header's unread badge, mark one read, mark all read,
on a phone and on a desktop screen."""
import pytest

from booking.accounts.models import Role
from booking.bookings.services import cancel_booking, create_booking
from booking.extensions import db
from tests import factories
from tests.booking_support import freeze, single
from tests.browser.conftest import header_link, sign_in


def _two_cancellations():
    freeze()
    teacher = factories.user(email="li@example.cn")
    lab = factories.resource(name="物理实验室")
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school, display_name="韩主任")
    for day in (3, 4):
        booking = create_booking(teacher, single(lab, day=day, title="<b>科学实验</b>")).bookings[0]
        cancel_booking(admin, booking, reason="设备检修")
    return teacher


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_the_badge_counts_unread_and_the_list_marks_them_read(browser, live_server, app, viewport):
    _two_cancellations()
    db.session.commit()  # the server's requests run in other sessions
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "li@example.cn")
        assert page.locator("#unread-badge").inner_text() == "2"
        header_link(page, "通知").click()  # on a phone, behind the folded Menu
        page.get_by_role("heading", name="通知").wait_for()
        assert page.get_by_text("您的预约「<b>科学实验</b>」已被韩主任取消").count() == 2  # shown as typed, not bold
        page.get_by_role("button", name="标为已读", exact=True).first.click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#unread-badge").inner_text() == "1"
        page.get_by_role("button", name="全部标为已读").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("#unread-badge").count() == 0
        assert page.get_by_text("已将 1 条通知标为已读。").is_visible()
    finally:
        context.close()
