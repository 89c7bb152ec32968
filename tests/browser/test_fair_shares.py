"""A coordinator sets a window and a term quota on a phone, and a village teacher sees both on the booking form."""
from booking.accounts.models import Role
from tests import factories
from tests.booking_support import freeze
from tests.browser.conftest import sign_in


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_coordinator_sets_a_quota_and_a_village_teacher_sees_it(page, live_server):
    freeze()  # 1 September 2026
    lead = factories.school(name="新天寄宿制小学", is_lead=True)
    village = factories.school(name="村小", is_weak=True, enrollment=150)
    lab = factories.resource(name="物理实验室", owner_school=lead)
    factories.term()
    factories.user(role=Role.COORDINATOR, email="zhang@example.cn")
    factories.user(school=village, email="li@example.cn")
    sign_in(page, live_server, "zhang@example.cn")
    page.goto(f"{live_server}/admin/quotas/")
    page.get_by_label("薄弱学校（提前天数）").fill("28")
    page.get_by_label("其他学校（提前天数）").fill("14")
    page.get_by_role("button", name="保存预约窗口").click()
    page.get_by_text("预约窗口已保存。").wait_for()
    page.locator("#quota-scope").select_option(label="资源：物理实验室（新天寄宿制小学）")
    page.get_by_label("每校每学期小时数").fill("20")
    page.get_by_role("button", name="保存配额").click()
    page.get_by_text("学期配额已保存。").wait_for()
    assert _fits_the_screen(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    assert page.get_by_role("row").filter(has_text="物理实验室").inner_text().count("20") == 1

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "li@example.cn")
    page.goto(f"{live_server}/bookings/new/{lab.id}")
    notice = page.get_by_role("region", name="预约窗口与学期配额")
    assert "本校可提前 28 天预约" in notice.inner_text()
    assert "本学期已用 0 / 20 小时" in notice.inner_text()
    assert _fits_the_screen(page)
