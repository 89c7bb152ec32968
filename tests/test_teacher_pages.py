"""The visiting teacher's pages and messages: requesting a visit, "Today", the digests and the 06:30 itinerary."""
from __future__ import annotations

import re

from datetime import date, time, timedelta

from flask import render_template_string
from sqlalchemy import select

from booking import clock
from booking.bookings.models import Booking, BookingStatus
from booking.digests.content import DigestWindow
from booking.digests.figures import DigestRun
from booking.digests.itinerary import itinerary_work
from booking.digests.jobs import ITINERARY, jobs, run_slot
from booking.digests.models import DigestKind, OutboxMessage
from booking.digests.render import render_digest
from booking.extensions import db
from booking.i18n import district_zone
from booking.teachers.itinerary import Leg, itinerary
from booking.teachers.models import TeacherBusyTime
from booking.teachers.visits import request_visit
from tests.booking_support import local
from tests.teacher_support import THURSDAY, auto_confirm
from tests.test_visit_requests import visit

FIND = {"subject": "music", "day": "2026-09-03", "period_number": "2", "class_name": "三年级", "students": "12"}


def test_the_visit_page_lists_who_can_come_and_requests_one(district, login_as):
    auto_confirm(district.lead.district_id)
    client = login_as(district.teacher_a)
    assert "申请走教教师" in client.get("/teachers/visit").get_data(as_text=True)
    found = client.get("/teachers/visit", query_string=FIND).get_data(as_text=True).split('id="specialists"')[1]
    assert "音乐 · 张丽老师" in found and "音乐 · 刘芳老师" not in found and "路程 20 分钟" in found
    assert "另有 1 位教师这个时间无法到场" in found
    requested = client.post("/teachers/visit", data={**FIND, "resource_id": str(district.zhang.resource_id)})
    assert requested.status_code == 302
    booking = db.session.scalar(select(Booking))
    assert booking.status == BookingStatus.CONFIRMED and "/bookings/" in requested.location
    detail = client.get(requested.location).get_data(as_text=True)
    assert "示范课" in detail and "登记上课情况" not in detail  # not before the lesson began


def test_an_impossible_trip_is_explained_with_alternatives(district, login_as):
    auto_confirm(district.lead.district_id)
    request_visit(district.teacher_a, visit(2, district.zhang))
    client = login_as(district.teacher_b)
    refused = client.post("/teachers/visit", data={**FIND, "period_number": "3",
                                                   "resource_id": str(district.zhang.resource_id)})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "路程时间不足" in page and "40 分钟" in page
    assert 'id="alternatives"' in page and "/teachers/visit?" in page
    bad = client.post("/teachers/visit", data={**FIND, "subject": "", "day": "3.9."})
    assert bad.status_code == 422 and "请按 2026-09-03 的格式填写日期" in bad.get_data(as_text=True)
    assert db.session.query(Booking).count() == 1


def test_a_user_without_a_school_cannot_request(district, login_as):
    page = login_as(district.coordinator).get("/teachers/visit").get_data(as_text=True)
    assert "只有学校的教师和管理员才能为本校申请走教" in page


def test_today_shows_the_day_school_by_school_with_travel_legs(district, login_as):
    auto_confirm(district.lead.district_id)
    request_visit(district.teacher_a, visit(2, district.zhang))
    request_visit(district.teacher_b, visit(5, district.zhang))
    db.session.add(TeacherBusyTime(profile=district.zhang, weekday=3, starts=time(10, 40), ends=time(11, 20),
                                   note="本校合唱"))
    db.session.commit()
    plan = itinerary(district.zhang, THURSDAY)[0]
    legs = [(i.origin.name, i.destination.name, i.minutes) for i in plan.items if isinstance(i, Leg)]
    assert legs == [("新天寄宿制小学", "王庄小学", 20), ("王庄小学", "新天寄宿制小学", 20),
                    ("新天寄宿制小学", "石门小学", 25)]
    clock.freeze(local(9, 3, 7))
    client = login_as(district.zhang.user)
    page = client.get("/teachers/today").get_data(as_text=True)
    assert "今日行程" in page and "从新天寄宿制小学到王庄小学：路上 20 分钟，08:30 前出发" in page
    assert "本校合唱" in page and "石门小学" in page
    week = client.get("/teachers/today?day=2026-09-02").get_data(as_text=True)
    assert "未来一周" in week and "2026年9月3日" in week
    client.post("/logout")
    assert login_as(district.teacher_a).get("/teachers/today").status_code == 404  # no profile


def test_the_nav_shows_today_only_to_visiting_teachers(district, login_as):
    client = login_as(district.zhang.user)
    assert "今日行程" in client.get("/teachers/").get_data(as_text=True)
    client.post("/logout")
    page = login_as(district.teacher_a).get("/teachers/").get_data(as_text=True)
    assert "今日行程" not in page and "申请走教" in page and "走教" in page


def test_the_mandate_summary_partial_renders_for_the_dashboard(district, login_as):
    client = login_as(district.coordinator)
    with client.application.test_request_context("/"):
        html = render_template_string('{% include "teachers/_mandate_summary.html" %}')
    assert "走教任务" in html and "3 所结对学校中有 0 所进度落后" in html


# --- digests --------------------------------------------------------------------------------------

def _window(day: date, kind=DigestKind.DAILY) -> DigestWindow:
    cut = local(day.month, day.day, 21)
    return DigestWindow(day, kind, cut, cut - timedelta(days=1))


def test_the_visiting_teachers_digest_gives_tomorrows_itinerary(district):
    auto_confirm(district.lead.district_id)
    request_visit(district.teacher_a, visit(2, district.zhang))
    clock.freeze(local(9, 2, 21))
    rendered = render_digest(DigestRun(cut=local(9, 2, 21), zone=district_zone()), district.zhang.user,
                             _window(date(2026, 9, 2)))
    assert "您明天的行程" in rendered.text and "08:30 前出发" in rendered.text
    assert "新天寄宿制小学 → 王庄小学" in rendered.text
    assert render_digest(DigestRun(cut=local(9, 2, 21), zone=district_zone()), district.liu.user,
                         _window(date(2026, 9, 2))) is None  # nothing tomorrow: no digest


def test_the_coordinators_digest_names_mandates_behind_schedule(district):
    clock.freeze(local(11, 18, 21))
    rendered = render_digest(DigestRun(cut=local(11, 18, 21), zone=district_zone()), district.coordinator,
                             _window(date(2026, 11, 18)))
    assert "走教任务进度落后：3 所结对学校" in rendered.text and "音乐示范课 已上 0 / 3" in rendered.text


def test_the_0630_itinerary_goes_to_teachers_with_lessons_that_day_once(district):
    auto_confirm(district.lead.district_id)
    request_visit(district.teacher_a, visit(2, district.zhang))
    db.session.commit()  # the request's own transaction
    slot = local(9, 3, 6, 30)
    clock.freeze(slot + timedelta(seconds=5))
    first = run_slot(jobs()[ITINERARY], slot, "test")
    assert first.ran and first.summary == "2026-09-03: 1 itineraries rendered into the outbox"
    message = db.session.scalar(select(OutboxMessage))
    assert (message.kind, message.recipient_id) == (DigestKind.ITINERARY, district.zhang.user_id)
    assert "您今天的行程" in message.text and "王庄小学" in message.text and "走教行程" in message.subject
    assert not run_slot(jobs()[ITINERARY], slot, "again").ran
    clock.freeze(local(9, 4, 8))
    assert "the day has passed" in itinerary_work(None, slot)


def test_a_link_that_names_the_subject_fills_the_form_without_errors(district, login_as):
    """Regression: 预约 on a visiting teacher's page (?resource_id=…&subject=music) opened the request form
    already saying 请修改下面标出的内容 and 请选择日期, before the teacher had done anything."""
    client = login_as(district.teacher_a)
    linked = client.get("/teachers/visit", query_string={"subject": "music", "resource_id": "1"})
    page = linked.get_data(as_text=True)
    assert linked.status_code == 200 and "请选择日期" not in page and "请修改下面标出的内容" not in page
    assert re.search(r'<option[^>]*selected[^>]*value="music"|<option[^>]*value="music"[^>]*selected', page)
    searched = client.get("/teachers/visit", query_string={"subject": "music", "day": "", "period_number": ""})
    assert searched.status_code == 422 and "请选择日期" in searched.get_data(as_text=True)
