"""Issue 4's "Done when", tried as a new user would on a phone in Chinese: a village-school teacher
requests a music lesson for Thursday period 2 and sees only the specialists who can get there in time;
the request is confirmed; a second request that would need an impossible trip is refused with the
travel-time reason and alternatives; the teacher records the lesson and the mandate page moves."""
from __future__ import annotations

from booking import clock
from tests.booking_support import local
from tests.browser.conftest import header_link, sign_in
from tests.teacher_support import auto_confirm


def fill_visit(page, period: str, specialist: str | None = None) -> None:
    page.get_by_label("学科").select_option(label="音乐")
    page.get_by_label("日期").fill("2026-09-03")  # a Thursday
    page.get_by_label("节次（本校作息）").select_option(label=period)
    page.get_by_label("班级", exact=True).fill("三年级")
    page.get_by_label("学生人数").fill("14")
    if specialist:
        page.get_by_label("指定教师（可不选）").select_option(label=specialist)
    page.get_by_role("button", name="查找教师").click()


def mandate_cell(page, live_server) -> str:
    page.goto(f"{live_server}/teachers/")
    page.get_by_role("link", name="任务进度").click()
    return page.locator("#mandate-progress tr").filter(has_text="王庄小学").locator("td").first.inner_text()


def switch_user(page, live_server, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, live_server, email)


def test_a_village_teacher_requests_a_music_lesson_and_the_mandate_moves(page, live_server, district):
    auto_confirm(district.lead.district_id)
    sign_in(page, live_server, "zhou@example.cn")  # the coordinator, before
    assert "已上 0 / 3" in mandate_cell(page, live_server)

    # 王庄小学's teacher asks for music on Thursday, 第2节: only 张丽 can get there by 08:50.
    switch_user(page, live_server, "li@example.cn")
    header_link(page, "走教", exact=True).click()
    page.get_by_role("link", name="申请走教").click()
    fill_visit(page, "第2节 08:50–09:30")
    specialists = page.locator("#specialists > li")
    specialists.first.wait_for()
    assert specialists.count() == 1 and "音乐 · 张丽老师" in specialists.first.inner_text()
    assert "路程 20 分钟" in specialists.first.inner_text()
    assert "另有 1 位教师这个时间无法到场" in page.locator("main").inner_text()
    specialists.first.get_by_role("button", name="申请").click()
    page.get_by_text("走教已确认。").wait_for()
    assert "示范课" in page.locator("main").inner_text()

    # 石门小学 asks 张丽 for 第3节 the same morning: 40 minutes from 王庄小学, only 20 between the lessons.
    switch_user(page, live_server, "zhao@example.cn")
    page.goto(f"{live_server}/teachers/visit")
    fill_visit(page, "第3节 09:50–10:30", specialist="音乐 · 张丽老师")
    assert "音乐 · 张丽老师" not in page.locator("#specialists").inner_text()
    page.get_by_role("button", name="申请所选教师").click()
    refusal = page.get_by_role("alert").filter(has_text="无法预约这次走教")
    refusal.wait_for()
    assert "路程时间不足" in refusal.inner_text() and "40 分钟" in refusal.inner_text()
    alternatives = page.locator("#alternatives > li")
    assert alternatives.count() >= 1
    assert any("刘芳" in alternatives.nth(i).inner_text() or "张丽" in alternatives.nth(i).inner_text()
               for i in range(alternatives.count()))

    # Thursday noon: 张丽 sees the lesson on her itinerary and records it.
    clock.freeze(local(9, 3, 12))
    switch_user(page, live_server, "zhang@example.cn")
    header_link(page, "今日行程").click()
    assert "从新天寄宿制小学到王庄小学：路上 20 分钟，08:30 前出发" in page.locator("#itinerary").inner_text()
    page.locator("#to-record").get_by_role("link").first.click()
    page.get_by_label("已上课").check()
    page.get_by_label("课程类型").select_option(label="示范课")
    page.get_by_label("教学内容（如未上课，请说明原因）").fill("学唱《茉莉花》")
    page.get_by_role("button", name="保存登记").click()
    page.get_by_text("已登记：已上课。").wait_for()

    # The mandate page moved.
    switch_user(page, live_server, "zhou@example.cn")
    assert "已上 1 / 3" in mandate_cell(page, live_server)
