"""A teacher's <script> in a booking title, shown in the clash list an admin sees, stays text and never
runs (issue 10, item 1): the escaping holds, and the Content-Security-Policy would stop it if it did not."""
from __future__ import annotations

import pytest

from booking.accounts.models import Role
from booking.bookings.services import create_booking
from tests import factories
from tests.booking_support import freeze, single
from tests.browser.conftest import sign_in
from tests.browser.test_booking_flow import fill_booking

PAYLOAD = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


@pytest.fixture
def clash(app):
    freeze()
    lead = factories.school(name="新天寄宿制小学")
    lab = factories.resource(owner_school=lead, name="物理实验室")
    attacker = factories.user(school=factories.school(name="李寨寄宿制小学"))
    create_booking(attacker, single(lab, day=3, class_name=PAYLOAD, title=PAYLOAD))
    factories.user(email="admin@example.cn", role=Role.SCHOOL_ADMIN, school=lead, display_name="王主任")
    return lab


def test_a_script_title_in_a_clash_list_does_not_execute(page, live_server, clash):
    dialogs, refused = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            else None)
    sign_in(page, live_server, "admin@example.cn")
    page.goto(f"{live_server}/bookings/new/{clash.id}")
    fill_booking(page, "2026-09-03", "第3节 09:50–10:30")
    refusal = page.get_by_role("alert").filter(has_text="这个时间无法预约")
    refusal.wait_for()
    assert "<script>window.__pwned = 1</script>" in refusal.inner_text()  # shown as the text it is
    page.wait_for_timeout(200)  # give an injected onerror handler the time to fire
    assert page.evaluate("window.__pwned") is None
    assert dialogs == [] and refused == []  # nothing ran, and the page needed no inline script either
