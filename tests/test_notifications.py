"""Who is told what, in their language: the event receivers, reminders, the pages and the API."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from booking import clock, events
from booking.accounts.models import Role
from booking.bookings.approvals import approve_booking, reject_booking
from booking.bookings.changes import BookingChanges, change_booking
from booking.bookings.models import BookingStatus
from booking.bookings.services import cancel_booking, create_booking
from booking.digests.jobs import REMINDERS, jobs, run_slot
from booking.digests.models import OutboxChannel, OutboxMessage
from booking.extensions import db
from booking.notifications import services
from booking.notifications.models import Notification, NotificationKind
from booking.notifications.services import describe
from booking.bookings.checkin import release_due
from tests import factories
from tests.api_support import assert_documented, bearer, get_json
from tests.booking_support import NOW, freeze, period3, single


@pytest.fixture
def gym(app):
    freeze()
    return factories.resource(name="体育馆", approval_required=True)


def _notes(user=None):
    query = select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    return list(db.session.scalars(query))


def test_an_approval_tells_the_booker_in_chinese_and_the_displaced_one_too(gym):
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    first_teacher, second_teacher = factories.user(), factories.user(locale="en")
    first = create_booking(first_teacher, single(gym, title="篮球课")).bookings[0]
    create_booking(second_teacher, single(gym, title="排球课"))
    approve_booking(admin, first, reason="同意")
    (approved,) = _notes(first_teacher)
    assert approved.kind == NotificationKind.APPROVED and approved.booking_id == first.id
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.notification_id == approved.id))
    assert email.subject == "您的预约「篮球课」已被批准" and email.channel == OutboxChannel.EMAIL
    assert "原因：同意" in email.text
    (displaced,) = _notes(second_teacher)
    english = db.session.scalar(select(OutboxMessage).where(OutboxMessage.notification_id == displaced.id))
    assert english.locale == "en" and english.subject.startswith("Your booking request “排球课” was declined")


def test_a_rejection_is_told_with_its_reason(gym):
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    teacher = factories.user()
    pending = create_booking(teacher, single(gym)).bookings[0]
    reject_booking(admin, pending, "已有安排")
    (note,) = _notes(teacher)
    assert note.kind == NotificationKind.REJECTED and note.params["reason"] == "已有安排"


def test_nobody_is_told_what_they_did_themselves(lab, teacher):
    booking = create_booking(teacher, single(lab)).bookings[0]
    change_booking(teacher, booking, BookingChanges(title="新标题"))
    cancel_booking(teacher, booking, reason="改期")
    assert _notes() == []


def test_a_cancellation_by_someone_else_of_a_series_is_one_notification(lab, teacher):
    rows = create_booking(teacher, single(lab, rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=4")).bookings
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school, display_name="韩主任")
    cancel_booking(admin, rows[0], scope="series", reason="设备检修")
    (note,) = _notes(teacher)
    assert note.kind == NotificationKind.CANCELLED and note.params["count"] == 4
    assert describe(note)["headline"] == "您的预约「科学实验」已被韩主任取消（共 4 次）"


def test_a_change_by_someone_else_is_told(lab, teacher):
    booking = create_booking(teacher, single(lab)).bookings[0]
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school)
    change_booking(admin, booking, BookingChanges(title="改了"))
    assert [note.kind for note in _notes(teacher)] == [NotificationKind.CHANGED]


def test_a_release_as_a_no_show_is_told(lab, teacher):
    booking = create_booking(teacher, single(lab)).bookings[0]
    clock.freeze(booking.starts_at + timedelta(minutes=30))
    assert release_due() == 1
    assert [note.kind for note in _notes(teacher)] == [NotificationKind.RELEASED]


def test_closure_and_waitlist_announcements_are_told(lab, teacher):
    booking = create_booking(teacher, single(lab)).bookings[0]
    closure = SimpleNamespace(reason="国庆节")
    events.announce(events.closure_hit, None, [booking], closure=closure, action="cancelled")
    events.announce(events.closure_hit, None, [booking], closure=closure, action="kept")
    start, end = period3(9, 10)
    entry = SimpleNamespace(user=teacher, resource=lab, starts_at=start, ends_at=end,
                            expires_at=start - timedelta(hours=2), school_id=teacher.school_id)
    events.waitlist_offered.send(None, bookings=[], entry=entry)
    events.announce(events.waitlist_booked, None, [booking])
    notes = _notes(teacher)
    assert [note.kind for note in notes] == [NotificationKind.CLOSURE_HIT, NotificationKind.CLOSURE_HIT,
                                             NotificationKind.WAITLIST_OFFERED, NotificationKind.WAITLIST_BOOKED]
    words = [describe(note) for note in notes]
    assert words[0]["headline"] == "您的预约「科学实验」已取消：学校停课（国庆节）"
    assert words[1]["headline"].endswith("已保留")
    assert words[2]["headline"] == "您排队等候的时段空出来了：物理实验室"
    assert any(line.startswith("请在") for line in words[2]["lines"])


def test_email_can_be_switched_off(lab, teacher):
    services.save_settings(teacher, False, None, teacher)
    booking = create_booking(teacher, single(lab)).bookings[0]
    cancel_booking(factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school), booking)
    assert len(_notes(teacher)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_reminder_is_written_once_per_booking_and_person(lab, teacher):
    services.save_settings(teacher, True, 30, teacher)
    soon = create_booking(teacher, single(lab)).bookings[0]  # 3 Sep 09:50
    later = create_booking(teacher, single(lab, day=4)).bookings[0]
    db.session.commit()
    job = jobs()[REMINDERS]
    slot = soon.starts_at - timedelta(minutes=25)
    clock.freeze(slot)
    assert run_slot(job, slot, "a").ran and run_slot(job, slot, "b").ran is False  # the slot is claimed once
    run_slot(job, slot + timedelta(minutes=5), "b")  # the next slot finds it told already
    notes = _notes(teacher)
    assert [(note.kind, note.booking_id) for note in notes] == [(NotificationKind.REMINDER, soon.id)]
    assert describe(notes[0])["headline"] == "提醒：「科学实验」将于 09:50 开始"
    assert later.status == BookingStatus.CONFIRMED


# --- pages ------------------------------------------------------------------------------------

def _told(teacher, lab, title="科学实验"):
    booking = create_booking(teacher, single(lab, title=title)).bookings[0]
    cancel_booking(factories.user(role=Role.SCHOOL_ADMIN, school=lab.owner_school), booking, reason="检修")
    db.session.commit()
    return _notes(teacher)[-1]


def test_the_list_shows_the_unread_badge_and_marks_read(lab, teacher, login_as):
    client = login_as(teacher)
    first, second = _told(teacher, lab), _told(teacher, lab, title="<script>alert(1)</script>")
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'id="unread-badge"' in page and ">2</span>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert client.post(f"/notifications/{first.id}/read", data={"next": "/notifications/"}).status_code == 302
    assert ">1</span>" in client.get("/notifications/").get_data(as_text=True)
    client.post("/notifications/read-all")
    page = client.get("/notifications/").get_data(as_text=True)
    assert 'id="unread-badge"' not in page
    db.session.expire_all()
    assert all(note.read_at is not None for note in (first, second))


def test_someone_elses_notification_cannot_be_marked(lab, teacher, login_as):
    note = _told(teacher, lab)
    client = login_as(factories.user())
    assert client.post(f"/notifications/{note.id}/read").status_code == 404


def test_the_pages_need_the_csrf_token(csrf_app, lab, teacher, login_as):
    note = _told(teacher, lab)
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": teacher.email, "password": "secret-pass", "csrf_token": token})
    assert client.post(f"/notifications/{note.id}/read").status_code == 400
    assert client.post("/notifications/read-all").status_code == 400
    assert client.post("/notifications/settings", data={"email": "y"}).status_code == 400


def test_settings_and_own_robots(app, teacher, login_as):
    client = login_as(teacher)
    assert client.post("/notifications/settings", data={"reminder_minutes": "30"}).status_code == 302
    settings = services.settings_of(teacher)
    assert settings.email is False and settings.reminder_minutes == 30
    assert client.post("/notifications/settings", data={"reminder_minutes": "7"}).status_code == 422
    refused = client.post("/notifications/settings/robots", data={"kind": "dingtalk", "url": "https://10.0.0.8/x"})
    assert refused.status_code == 422 and "内网" in refused.get_data(as_text=True)
    plain = client.post("/notifications/settings/robots", data={"kind": "wecom", "url": "http://example.cn/x"})
    assert plain.status_code == 422 and "https://" in plain.get_data(as_text=True)
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = frozenset({"127.0.0.1"})
    secret_url = "http://127.0.0.1:9/cgi-bin/webhook/send?key=very-secret-key-1234"
    added = client.post("/notifications/settings/robots", data={"kind": "wecom", "url": secret_url, "markdown": "y"})
    assert added.status_code == 302
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "very-secret-key" not in page and "…1234" in page
    (robot,) = services.robots_of_user(teacher)
    assert client.post(f"/notifications/robots/{robot.id}/delete", data={"confirmed": "1"}).status_code == 302
    assert services.robots_of_user(teacher) == []


def test_a_schools_robots_are_its_admins(app, login_as):
    school = factories.school()
    teacher = factories.user(school=school)
    assert login_as(teacher).get(f"/notifications/schools/{school.id}/robots").status_code == 404
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=school)
    login_as(teacher).post("/logout")
    client = login_as(admin)
    assert client.get(f"/notifications/schools/{school.id}/robots").status_code == 200
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = frozenset({"127.0.0.1"})
    response = client.post(f"/notifications/schools/{school.id}/robots",
                           data={"kind": "feishu", "url": "http://127.0.0.1:9/open-apis/bot/v2/hook/abcd-5678",
                                 "secret": "feishu-secret"})
    assert response.status_code == 302
    (robot,) = services.robots_of_school(school.id)
    assert robot.secret == "feishu-secret" and robot.user_id is None
    page = client.get(f"/notifications/schools/{school.id}/robots").get_data(as_text=True)
    assert "…5678" in page and "abcd-5678" not in page and "feishu-secret" not in page
    other = factories.school()
    assert client.get(f"/notifications/schools/{other.id}/robots").status_code == 404


# --- API --------------------------------------------------------------------------------------

def test_the_api_lists_and_marks_read(client, lab, teacher):
    first, second = _told(teacher, lab), _told(teacher, lab)
    headers = bearer(teacher)
    body = client.get("/api/v1/notifications", headers=headers).get_json()
    assert_documented(client, body, "/notifications")
    assert [item["id"] for item in body["items"]] == [second.id, first.id]
    assert body["items"][0]["headline"].startswith("您的预约「科学实验」已被")
    marked = client.post("/api/v1/notifications/read", json={"ids": [first.id]}, headers=headers)
    assert marked.status_code == 200 and marked.get_json() == {"marked": 1, "unread": 1}
    unread = client.get("/api/v1/notifications?show=unread", headers=headers).get_json()
    assert [item["id"] for item in unread["items"]] == [second.id]
    assert client.post("/api/v1/notifications/read", json={"all": True}, headers=headers).get_json()["unread"] == 0
    assert client.post("/api/v1/notifications/read", json={}, headers=headers).status_code == 422
    assert client.post("/api/v1/notifications/read", json={"ids": ["x"]}, headers=headers).status_code == 422


def test_the_api_shows_only_ones_own(client, lab, teacher):
    _told(teacher, lab)
    other = factories.user()
    assert get_json(client, "/api/v1/notifications", other)["total"] == 0
    note = _notes(teacher)[0]
    response = client.post("/api/v1/notifications/read", json={"ids": [note.id]}, headers=bearer(other))
    assert response.get_json()["marked"] == 0


def test_clock_is_frozen_for_the_receivers(lab, teacher):
    note = _told(teacher, lab)
    assert note.created_at == NOW


def test_a_change_rolled_back_tells_nobody(gym):
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    teacher = factories.user()
    pending = create_booking(teacher, single(gym)).bookings[0]
    db.session.commit()
    approve_booking(admin, pending)
    assert len(_notes(teacher)) == 1  # written in the approval's transaction …
    db.session.rollback()
    assert _notes(teacher) == []  # … and gone with it
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_removing_a_school_robot_returns_to_the_schools_page(app, login_as):
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = frozenset({"127.0.0.1"})
    school = factories.school()
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=school)
    robot = services.add_robot(admin, kind="dingtalk", url="http://127.0.0.1:9/robot/send?access_token=t",
                               secret="SECx", school_id=school.id)
    db.session.commit()
    client = login_as(factories.user(school=school))
    assert client.post(f"/notifications/robots/{robot.id}/delete").status_code == 404  # a teacher may not
    client.post("/logout")
    response = login_as(admin).post(f"/notifications/robots/{robot.id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/schools/{school.id}/robots")
    assert services.robots_of_school(school.id) == []


def test_the_visiting_teacher_is_told_of_an_approved_and_a_cancelled_lesson(app):
    from booking.teachers.visits import VisitInput, request_visit
    from tests.teacher_support import THURSDAY, build_district

    district = build_district()
    district.zhang.resource.approval_required = True
    db.session.commit()
    lesson = request_visit(district.teacher_a, VisitInput(subject="music", day=THURSDAY, period_number=2,
                                                          class_name="三年级", students=12,
                                                          resource_id=district.zhang.resource_id)).bookings[0]
    approve_booking(district.lead_admin, lesson)
    cancel_booking(district.teacher_a, lesson, reason="学生外出")
    teacher_notes = _notes(district.zhang.user)
    assert [note.kind for note in teacher_notes] == [NotificationKind.APPROVED, NotificationKind.CANCELLED]
    assert describe(teacher_notes[1])["headline"].startswith("您的走教课「")
    # the booker hears of the approval, not of the cancellation they made themselves
    assert [note.kind for note in _notes(district.teacher_a)] == [NotificationKind.APPROVED]


def test_the_api_reads_and_sets_the_settings(client, teacher):
    headers = bearer(teacher)
    assert client.get("/api/v1/notifications/settings", headers=headers).get_json() == {
        "email": True, "reminder_minutes": None}
    saved = client.put("/api/v1/notifications/settings", json={"email": False, "reminder_minutes": 15},
                       headers=headers)
    assert saved.status_code == 200 and saved.get_json() == {"email": False, "reminder_minutes": 15}
    assert services.settings_of(teacher).reminder_minutes == 15
    refused = client.put("/api/v1/notifications/settings", json={"email": True, "reminder_minutes": 7},
                         headers=headers)
    assert refused.status_code == 422 and "reminder_minutes" in refused.get_json()["fields"]


def test_a_visiting_teacher_is_reminded_of_a_lesson_once(app):
    from booking.teachers.visits import VisitInput, request_visit
    from tests.teacher_support import THURSDAY, auto_confirm, build_district

    district = build_district()
    auto_confirm(district.lead.district_id)
    services.save_settings(district.zhang.user, True, 60, district.zhang.user)
    lesson = request_visit(district.teacher_a, VisitInput(subject="music", day=THURSDAY, period_number=2,
                                                          class_name="三年级", students=12,
                                                          resource_id=district.zhang.resource_id)).bookings[0]
    db.session.commit()
    assert lesson.status == BookingStatus.CONFIRMED
    job = jobs()[REMINDERS]
    for minutes_before in (55, 50):
        slot = lesson.starts_at - timedelta(minutes=minutes_before)
        clock.freeze(slot)
        run_slot(job, slot, "test")
    (note,) = _notes(district.zhang.user)
    assert note.kind == NotificationKind.REMINDER and note.params["as_teacher"] is True
    assert _notes(district.teacher_a) == []  # the booker chose no reminder
