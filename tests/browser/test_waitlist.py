"""The waitlist on a phone in Chinese and on a desktop in English: a teacher refused for a held slot waits for it,
sees their place on 我的预约, gets the slot when it is cancelled; an offer of an approval resource is accepted."""
import re

import pytest

from booking.accounts.models import Role
from booking.bookings.models import Booking, BookingStatus
from booking.bookings.services import cancel_booking, create_booking
from booking.extensions import db
from booking.resources.models import Category
from tests import factories
from tests.booking_support import freeze, single
from tests.browser.conftest import sign_in


@pytest.fixture
def district(app):
    freeze()
    lead = factories.school(name="新天寄宿制小学", is_lead=True)
    lab = factories.resource(owner_school=lead, name="物理实验室")
    gym = factories.resource(owner_school=lead, name="体育馆", category=Category.GYM, approval_required=True)
    rival = factories.user(school=factories.school(name="李寨寄宿制小学"))
    admin = factories.user(email="admin@example.cn", role=Role.SCHOOL_ADMIN, school=lead)
    held_lab = create_booking(rival, single(lab, class_name="四年级1班", title="电路实验")).bookings[0]
    held_gym = create_booking(admin, single(gym, title="校队训练")).bookings[0]
    teacher = factories.user(email="li@example.cn", school=factories.school(name="新天第七小学", is_weak=True))
    return teacher, lab, gym, held_lab, held_gym


def fill_booking(page, day: str, period: str, *, labels: dict) -> None:
    page.get_by_label(re.compile(labels["day"])).fill(day)
    page.get_by_label(labels["period"], exact=True).select_option(label=period)
    page.get_by_label(labels["class"], exact=True).fill("三年级2班")
    page.get_by_label(labels["students"]).fill("32")
    page.get_by_label(labels["title"]).fill("光的折射")
    page.get_by_role("button", name=labels["book"], exact=True).click()


ZH = {"day": "^日期", "period": "节次", "class": "班级", "students": "学生人数", "title": "用途", "book": "预约"}


def test_waiting_for_a_held_slot_on_a_phone(page, live_server, district):
    teacher, lab, _, held_lab, _ = district
    sign_in(page, live_server, "li@example.cn")
    page.goto(f"{live_server}/bookings/new/{lab.id}")
    fill_booking(page, "2026-09-03", "第3节 09:50–10:30", labels=ZH)
    page.get_by_role("alert").filter(has_text="这个时间无法预约").wait_for()
    page.get_by_role("button", name="排队等候").click()
    page.get_by_text("您已加入这个时段的排队").wait_for()
    section = page.locator("section.my-waitlist")
    assert "物理实验室" in section.inner_text() and "排在第 1 位" in section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling

    cancel_booking(held_lab.booked_by, db.session.get(Booking, held_lab.id))
    db.session.commit()
    page.reload()
    assert "您目前没有排队" in page.locator("section.my-waitlist").inner_text()
    booking = db.session.query(Booking).filter_by(booked_by_id=teacher.id).one()
    assert booking.status == BookingStatus.CONFIRMED
    assert "物理实验室" in page.locator("main ul.card-list").first.inner_text()


def test_accepting_an_offer_on_a_desktop_in_english(browser, live_server, district):
    teacher, _, gym, _, held_gym = district
    teacher.locale = "en"
    db.session.commit()
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "li@example.cn")
        page.goto(f"{live_server}/bookings/new/{gym.id}")
        fill_booking(page, "2026-09-03", "Period 3 09:50–10:30",
                     labels={"day": "^Date", "period": "Period", "class": "Class", "students": "Students",
                             "title": "Purpose", "book": "Book"})
        page.get_by_role("button", name="Wait for this slot").click()
        page.get_by_role("heading", name="My waitlist").wait_for()
        cancel_booking(held_gym.booked_by, db.session.get(Booking, held_gym.id))
        db.session.commit()
        page.reload()
        section = page.locator("section.my-waitlist")
        assert "Offered until 07:30" in section.inner_text()
        section.get_by_role("button", name=re.compile("^Accept")).click()
        page.get_by_text("Your request was sent; the owner school will answer it.").wait_for()
    finally:
        context.close()
