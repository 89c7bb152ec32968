"""Each role's main pages at a phone's size (390×844) and a desk's (1366×900), in Chinese: every page
answers, nothing scrolls sideways, and axe-core finds no serious or critical violation."""
from __future__ import annotations

from datetime import date

import pytest

from booking.accounts.models import Role
from booking.bookings.services import cancel_booking, create_booking
from tests import factories
from tests.booking_support import freeze, single
from tests.browser.axe import assert_accessible
from tests.browser.conftest import sign_in

WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
               && !e.closest('.visually-hidden')
               && !(e.parentElement && e.parentElement.closest('.table-wrap')))
  .slice(0, 4).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def widest(page) -> list[str]:
    """The first elements that stick out past the viewport (outside the tables that scroll on purpose)."""
    return page.evaluate(WIDEST)


SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1366, "height": 900}}


@pytest.fixture
def people(app):
    freeze()
    lead = factories.school(name="新天寄宿制小学", is_lead=True)
    tied = factories.school(name="新天第七小学", is_weak=True, lead_school_id=lead.id)
    factories.travel(lead, tied, 15)
    factories.term(start_date=date(2026, 9, 1), end_date=date(2027, 1, 22))
    lab = factories.resource(owner_school=lead, name="物理实验室")
    gym = factories.resource(owner_school=lead, name="体育馆", approval_required=True)
    teacher = factories.user(email="li@example.cn", school=tied, display_name="李老师")
    admin = factories.user(email="admin@example.cn", role=Role.SCHOOL_ADMIN, school=lead, display_name="王主任")
    coordinator = factories.user(email="zhou@example.cn", role=Role.COORDINATOR, display_name="周建国")
    booking = create_booking(teacher, single(lab)).bookings[0]
    create_booking(teacher, single(gym, day=4))
    cancel_booking(admin, booking, reason="设备检修")  # a notification in the teacher's list
    return {"teacher": (teacher, lab), "admin": (admin, lab), "coordinator": (coordinator, lab)}


PATHS = {
    "teacher": ["/", "/resources/", "/resources/{lab}", "/bookings/day?day=2026-09-03", "/bookings/mine",
                "/bookings/new/{lab}", "/bookings/search", "/notifications/", "/notifications/settings", "/allocation/"],
    "admin": ["/", "/bookings/approvals", "/resources/manage", "/notifications/schools/{school}/robots"],
    "coordinator": ["/", "/reports/", "/admin/", "/allocation/"],
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("role", PATHS)
def test_each_roles_pages_are_accessible_at_phone_and_desk_sizes(browser, live_server, people, role, size):
    user, lab = people[role]
    context = browser.new_context(locale="zh-CN", viewport=SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server, user.email)
        for path in PATHS[role]:
            response = page.goto(live_server + path.format(lab=lab.id, school=user.school_id))
            assert response.status < 400, path
            assert_accessible(page)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {size}: {widest(page)}"
    finally:
        context.close()
