"""A coordinator adds a resource and a user through the Chinese forms, on a phone-sized screen."""
import pytest

from booking.accounts.models import Role
from tests import factories
from tests.browser.conftest import sign_in


@pytest.fixture
def new_resource_page(page, live_server):
    """A coordinator of a district with one school, on the empty resource form."""
    factories.school(code="XT01", name="新天寄宿制小学")
    factories.user(role=Role.COORDINATOR, email="coord@example.cn")
    sign_in(page, live_server, "coord@example.cn")
    page.goto(f"{live_server}/resources/new")
    return page


def test_coordinator_adds_a_resource_and_a_user(new_resource_page, live_server):
    page = new_resource_page
    page.get_by_label("类型").select_option(label="场馆设施")
    page.get_by_label("类别").select_option(label="实验室")
    page.get_by_label("学科").select_option(label="化学")
    page.get_by_label("名称").fill("化学实验室")
    page.get_by_label("所属学校").select_option(label="新天寄宿制小学")
    page.get_by_label("容量").fill("40")
    # The hours grid starts at Monday to Friday 08:00–17:00; add a Saturday morning in a spare row.
    page.get_by_label("第6行：星期").select_option(label="星期六")
    page.get_by_label("第6行：开放时间").fill("09:00")
    page.get_by_label("第6行：关闭时间").fill("11:30")
    page.get_by_role("button", name="添加资源").click()
    page.get_by_text("已添加资源 化学实验室。").wait_for()
    assert page.get_by_role("link", name="化学实验室").is_visible()

    page.get_by_role("link", name="化学实验室").click()
    page.get_by_role("heading", name="编辑 化学实验室").wait_for()
    assert page.get_by_label("第6行：开放时间").input_value() == "09:00"

    page.goto(f"{live_server}/admin/users/new")
    page.get_by_label("邮箱").fill("wangfang@example.cn")
    page.get_by_label("姓名").fill("王芳")
    page.get_by_label("角色").select_option(label="教师")
    page.get_by_label("学校", exact=True).select_option(label="新天寄宿制小学 (XT01)")
    page.get_by_label("密码").fill("chushi-mima-1")
    page.get_by_role("button", name="添加用户").click()
    page.get_by_text("已添加用户 王芳。").wait_for()
    row = page.get_by_role("row", name="王芳")
    # (on a phone the e-mail column is one of those left out: it is in the row, not shown)
    assert "wangfang@example.cn" in row.text_content() and row.get_by_text("新天寄宿制小学").is_visible()


def test_a_bad_value_is_named_in_chinese(new_resource_page):
    page = new_resource_page
    page.get_by_label("类型").select_option(label="仪器设备")
    page.get_by_label("类别").select_option(label="实验室")
    page.get_by_label("名称").fill("显微镜")
    page.get_by_role("button", name="添加资源").click()
    error = page.locator("#category-error")
    error.wait_for()
    assert "不属于" in error.inner_text()
    assert page.get_by_label("类别").get_attribute("aria-invalid") == "true"


def test_users_import_offers_the_generated_passwords_once(new_resource_page, live_server, tmp_path):
    page = new_resource_page
    upload = tmp_path / "教师名单.csv"
    upload.write_bytes("email,display_name,role,school_code,password\n"
                       "liming@example.cn,李明,教师,XT01,\n".encode("gbk"))
    page.goto(f"{live_server}/admin/import/users")
    page.get_by_label("CSV 文件").set_input_files(str(upload))
    page.get_by_role("button", name="检查并导入").click()
    page.get_by_text("已导入 1 行。").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="下载生成的密码（CSV）").click()
    lines = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "email,display_name,password" and lines[1].startswith("liming@example.cn,李明,")
    # The imported teacher is a user like any other.
    page.goto(f"{live_server}/admin/users/?q=liming")
    assert page.get_by_role("link", name="李明").is_visible()
