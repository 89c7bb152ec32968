"""A village teacher submits a weekly request on a phone; the coordinator previews and commits on a desktop."""
from datetime import date, datetime, timedelta, timezone

from booking import clock
from booking.accounts.models import Role
from booking.allocation.services import open_round
from booking.extensions import db
from booking.resources.models import Category
from tests import factories
from tests.browser.conftest import sign_in

DEADLINE = datetime(2026, 8, 25, 1, 0, tzinfo=timezone.utc)


def test_a_request_on_a_phone_then_the_preview_and_commit_on_a_desktop(page, live_server, browser):
    clock.freeze(datetime(2026, 8, 20, 1, 0, tzinfo=timezone.utc))
    lead = factories.school(name="新天寄宿制小学", enrollment=1000)
    village = factories.school(name="王庄小学", enrollment=90, is_weak=True)
    term = factories.term(start_date=date(2026, 9, 1), end_date=date(2026, 9, 30))
    factories.resource(owner_school=lead, name="科学实验室", category=Category.LAB)
    coordinator = factories.user(role=Role.COORDINATOR, email="coord@example.cn")
    factories.user(school=village, email="wang@example.cn")
    round_id = open_round(coordinator, term.id, "秋季实验室统筹", DEADLINE).id
    db.session.commit()  # what the services flushed, as the request that made it would
    sign_in(page, live_server, "wang@example.cn")
    page.goto(f"{live_server}/allocation/{round_id}")
    page.get_by_label("资源", exact=True).select_option(label="科学实验室（新天寄宿制小学）")  # each room says its school
    page.get_by_label("星期二 第3节").check()
    page.get_by_label("周数").fill("3")
    page.get_by_label("用途").fill("分组实验")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("申请已提交").wait_for()
    assert page.get_by_role("row", name="王庄小学").is_visible()

    clock.freeze(DEADLINE + timedelta(hours=1))
    desktop = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desktop, live_server, "coord@example.cn")
    desktop.goto(f"{live_server}/allocation/{round_id}/preview")
    desktop.get_by_role("heading", name="分配预览").wait_for()
    assert desktop.get_by_role("row", name="本次分配").get_by_text("1 / 1").is_visible()
    desktop.get_by_role("button", name="确认分配：生成每周预约").click()
    desktop.get_by_text("已确认：1 个申请中有 1 个生成了每周预约。").wait_for()
    assert desktop.get_by_role("row", name="王庄小学").get_by_text("已分配").is_visible()
