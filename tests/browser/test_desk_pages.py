"""The pages of issue 15 items 1, 4, 5 and 9 in Chromium, on a phone (390×844) and a desk (1366×900),
each checked with axe-core: a period found by the search is booked as that period at the host school;
the chooser finds a room by school; a destructive action asks first; a CSV import runs as a job with a
progress bar and the same file sent twice imports once."""
from datetime import date, time

import pytest

from booking.accounts.models import Role
from booking.bookings.models import Booking
from booking.extensions import db
from booking.imports.jobs import wait_for_workers
from booking.resources.models import Category
from booking.schools.models import BellPeriod
from tests import factories
from tests.booking_support import freeze, local
from tests.browser.axe import assert_accessible
from tests.browser.conftest import sign_in

SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}
LATER_BELLS = [(time(8, 0), time(8, 40)), (time(8, 50), time(9, 30)), (time(10, 10), time(10, 50)),
               (time(11, 0), time(11, 40))]


@pytest.fixture(params=list(SIZES))
def sized_page(request, browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=SIZES[request.param])
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def district(app):
    freeze()
    home = factories.school(name="杨家岭小学")
    host = factories.school(name="新天寄宿制小学", bells=False)
    for number, (start, end) in enumerate(LATER_BELLS, start=1):
        db.session.add(BellPeriod(school_id=host.id, number=number, start_time=start, end_time=end))
    factories.term(start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    factories.travel(home, host, 15)
    lab = factories.resource(owner_school=host, name="物理实验室", location="实验楼 201")
    factories.resource(owner_school=host, name="多媒体教室", category=Category.MULTIMEDIA_ROOM)
    factories.resource(owner_school=home, name="多媒体教室", category=Category.MULTIMEDIA_ROOM)
    factories.user(email="teacher@example.cn", school=home, display_name="杨老师")
    factories.user(email="admin@example.cn", role=Role.SCHOOL_ADMIN, school=host, display_name="王主任")
    factories.user(email="coord@example.cn", role=Role.COORDINATOR, display_name="学区长")
    return lab


def test_the_searched_period_is_booked_at_the_host_school(sized_page, live_server, district):
    page, lab = sized_page, district
    sign_in(page, live_server, "teacher@example.cn")
    page.goto(f"{live_server}/bookings/search")
    page.get_by_label("类别").select_option(label="实验室")
    page.get_by_label("日期").fill("2026-09-03")
    page.get_by_label("节次（按场地所在学校）").select_option(label="第3节")
    page.get_by_role("button", name="搜索").click()
    page.locator("#results").wait_for()
    assert "第3节 10:10–10:50" in page.locator("#results").inner_text()
    assert_accessible(page)
    page.locator("#results").get_by_role("button").first.click()
    assert page.get_by_label("按节次").is_checked()
    assert page.get_by_label("节次", exact=True).input_value() == "3"
    assert not page.get_by_label("开始时间").is_visible()  # 按钟点's inputs hide while 按节次 is chosen
    assert_accessible(page)
    page.get_by_label("用途").fill("光的折射")
    page.get_by_role("button", name="预约", exact=True).click()
    page.get_by_text("预约成功。").wait_for()
    db.session.expire_all()
    booking = db.session.query(Booking).filter_by(resource_id=lab.id).one()
    assert (booking.starts_at, booking.ends_at) == (local(9, 3, 10, 10), local(9, 3, 10, 50))
    assert_accessible(page)


def test_the_chooser_groups_by_school_nearest_first_and_searches(sized_page, live_server, district):
    page = sized_page
    sign_in(page, live_server, "teacher@example.cn")
    page.goto(f"{live_server}/bookings/new")
    headings = page.locator("main h2").all_inner_texts()
    assert [h.split()[0] for h in headings] == ["杨家岭小学", "新天寄宿制小学"]
    assert_accessible(page)
    page.get_by_label("名称、房间或学校").fill("实验楼")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="物理实验室").wait_for()
    assert page.locator(".chooser-list li").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page)


def test_archiving_asks_first_and_says_what_it_leaves(sized_page, live_server, district):
    page = sized_page
    sign_in(page, live_server, "admin@example.cn")
    page.goto(f"{live_server}/resources/manage")
    page.get_by_role("row", name="物理实验室").get_by_role("button", name="归档").click()
    page.get_by_role("heading", name="确定归档 物理实验室 吗？").wait_for()
    assert "没有尚未进行的预约" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="不，返回").click()
    page.get_by_role("row", name="物理实验室").get_by_role("button", name="归档").wait_for()  # still bookable


def test_a_csv_import_runs_as_a_job_and_the_same_file_twice_imports_once(sized_page, live_server, district, tmp_path):
    page = sized_page
    upload = tmp_path / "教师名单.csv"
    upload.write_bytes(("email,display_name,role,school_code,password\n" + "".join(
        f"imp{n}@example.cn,老师{n},教师,{district.owner_school.code},\n" for n in range(40))).encode("gbk"))
    sign_in(page, live_server, "coord@example.cn")
    for _sent in range(2):  # the second time: the same file again
        page.goto(f"{live_server}/admin/import/users")
        page.get_by_label("CSV 文件").set_input_files(str(upload))
        page.get_by_role("button", name="检查并导入").click()
        page.get_by_text("已导入 40 行。").wait_for()  # the progress page reloads itself when the job is done
        wait_for_workers()
        assert page.get_by_role("button", name="下载生成的密码（CSV）").is_visible()
        assert_accessible(page)
    assert "没有重复导入" in page.locator("main").inner_text()
    db.session.expire_all()
    from booking.accounts.models import User

    assert db.session.query(User).filter(User.email.like("imp%@example.cn")).count() == 40
    with page.expect_download() as download:
        page.get_by_role("button", name="下载生成的密码（CSV）").click()
    assert len(download.value.path().read_text(encoding="utf-8-sig").splitlines()) == 41
