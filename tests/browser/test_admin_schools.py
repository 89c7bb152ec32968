"""A coordinator adds a school in Chinese on a phone-sized screen, and a bad enrollment is explained."""
from booking.accounts.models import Role
from tests import factories
from tests.browser.conftest import sign_in


def fill_school_form(page, *, code: str, name: str, enrollment: str) -> None:
    page.get_by_label("学校代码").fill(code)
    page.get_by_label("名称").fill(name)
    page.get_by_label("学段").select_option(label="小学")
    page.get_by_label("在校学生数").fill(enrollment)
    page.get_by_label("所属龙头学校").select_option(label="新天寄宿制小学 (XT00)")
    page.get_by_label("片区").fill("上片")


def test_coordinator_adds_a_school_and_sees_it_in_the_list(page, live_server):
    factories.user(role=Role.COORDINATOR, email="zhang@example.cn")
    factories.school(code="XT00", name="新天寄宿制小学", is_lead=True)
    sign_in(page, live_server, "zhang@example.cn")
    page.goto(f"{live_server}/admin/schools")
    page.get_by_role("link", name="新增学校").click()

    fill_school_form(page, code="XT07", name="新天第七小学", enrollment="-5")
    page.get_by_role("button", name="添加学校").click()
    error = page.locator("#enrollment-error")
    error.wait_for()
    assert "在校学生数请填写 0 到" in error.inner_text()
    assert page.get_by_label("在校学生数").get_attribute("aria-invalid") == "true"

    page.get_by_label("在校学生数").fill("86")
    page.get_by_role("button", name="添加学校").click()
    page.get_by_text("学校已添加。").wait_for()
    group = page.get_by_role("region", name="龙头学校 新天寄宿制小学 及其结对学校")
    row = group.get_by_role("row").filter(has_text="新天第七小学")
    # (on a phone the enrollment and area columns are left out: in the row, not shown)
    assert "86" in row.text_content() and "上片" in row.text_content()
