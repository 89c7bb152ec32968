from tests import factories
from tests.browser.conftest import header_link, sign_in


def test_teacher_signs_in_and_sees_resources_in_chinese(page, live_server):
    teacher = factories.user(email="wang@example.cn", display_name="王老师")
    factories.resource(owner_school=teacher.school, name="科学实验室")
    sign_in(page, live_server, "wang@example.cn")
    page.get_by_role("heading", name="王老师，您好").wait_for()  # the home page
    header_link(page, "资源", exact=True).click()
    page.get_by_role("heading", name="资源").wait_for()
    assert page.get_by_role("link", name="科学实验室").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
