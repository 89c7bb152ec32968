"""What a page says must be true of the booking it shows (a review of the Chinese pages found these)."""
from __future__ import annotations

import pytest

from booking.accounts.models import Role
from tests import factories
from tests.feeds_support import build_world


@pytest.fixture
def world(app):
    return build_world()


def test_a_booking_card_names_the_class_school_not_the_room_school(world, client, login_as):
    """Regression: a village class's booking in a lead school's lab read "新天寄宿制小学 · 五年级1班", as if
    the class were the lead school's."""
    login_as(world.outsider)
    page = client.get("/bookings/mine").get_data(as_text=True)
    assert "李寨小学 · 五年级1班 · 秘密实验" in page
    assert '<small class="muted">· 新天寄宿制小学</small>' in page  # where it takes place, beside the room


def test_a_visiting_teachers_lesson_takes_place_at_the_class_school(world, client, login_as):
    """Regression: 地点 named the teacher's home school, where the lesson does not take place."""
    login_as(world.outsider)
    page = client.get(f"/bookings/{world.visit.id}").get_data(as_text=True)
    where = page.split("<dt>地点</dt><dd>", 1)[1].split("</dd>", 1)[0]
    assert where.startswith("李寨小学 ·") and "刘老师（音乐）" in where and "新天寄宿制小学" not in where


@pytest.mark.parametrize("district, expected", [(False, "县级协调员"), (True, "学区协调员")])
def test_a_coordinator_is_named_by_what_they_coordinate(client, login_as, district, expected):
    """Regression: the county coordinator's profile and the user list said 学区协调员."""
    scope = {"district_id": factories.district().id} if district else {}
    login_as(factories.user(role=Role.COORDINATOR, email="c@example.cn", **scope))
    assert f"c@example.cn · {expected}" in client.get("/profile").get_data(as_text=True)


def test_the_audit_filter_asks_for_a_first_and_last_day(client, login_as):
    login_as(factories.user(role=Role.COORDINATOR))
    page = client.get("/audit/").get_data(as_text=True)
    assert '<label>开始日期<input type="date" name="from"' in page and '<label>结束日期<input type="date" name="to"' in page
