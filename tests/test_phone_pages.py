"""我的预约 as a month calendar, the one way dates are written, and the confirmation step of the destructive
actions that had none (deactivating a school, deleting a make-up day, revoking a token or a feed link,
removing a group robot)."""
from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from booking.accounts import services as accounts
from booking.accounts.models import ApiToken, Role
from booking.bookings.services import create_booking
from booking.bookings.web.month import build_month, month_of
from booking.calendars import services as feeds
from booking.calendars.models import FeedScope
from booking.extensions import db
from booking.i18n import format_days, format_moment, format_span
from booking.notifications import services as robots
from booking.schools.makeup import MakeupDayInput, create_makeup_day
from booking.schools.models import MakeupDay
from tests import factories
from tests.booking_support import freeze, local, single


# --- dates --------------------------------------------------------------------------------------

def test_whole_days_read_as_days_and_the_end_at_midnight_is_the_day_before(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert format_span(local(12, 7, 0), local(12, 12, 0)) == "2026年12月7日\u00a0– 2026年12月11日"
        assert format_span(local(12, 7, 0), local(12, 8, 0)) == "2026年12月7日"
        assert format_span(local(12, 7, 8), local(12, 7, 12, 30)) == "2026年12月7日 08:00–12:30"
        assert format_span(local(12, 7, 8), local(12, 9, 12)) == "2026年12月7日 08:00\u00a0– 2026年12月9日 12:00"
        assert format_moment(local(12, 7, 8, 5)) == "2026年12月7日 08:05"
        assert format_days(date(2026, 10, 1), date(2026, 10, 1)) == "2026年10月1日"
    with app.test_request_context(), force_locale("en"):
        assert format_span(local(12, 7, 0), local(12, 12, 0)) == "Dec 7, 2026\u00a0– Dec 11, 2026"


def test_a_blackout_entered_as_days_is_listed_as_those_days(app, login_as):
    freeze()
    school = factories.school()
    lab = factories.resource(owner_school=school, name="物理实验室")
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=school)
    client = login_as(admin)
    client.post(f"/resources/{lab.id}/blackouts", data={"start_date": "2026-12-07", "end_date": "2026-12-11",
                                                        "reason": "换灯管"})
    page = client.get(f"/resources/{lab.id}/blackouts").get_data(as_text=True)
    assert "2026年12月7日\u00a0– 2026年12月11日" in page
    assert "2026/12/7" not in page and "00:00" not in page


# --- the month calendar ---------------------------------------------------------------------------

def test_the_month_starts_on_monday_and_puts_each_item_on_its_day():
    month = build_month(date(2026, 9, 1), [date(2026, 9, 3), date(2026, 9, 3), date(2026, 8, 31)], lambda d: d,
                        today=date(2026, 9, 1))
    assert month.weeks[0][0].day == date(2026, 8, 31) and not month.weeks[0][0].in_month
    assert month.weeks[0][0].items == []  # a day of another month shows nothing
    assert len(month.weeks[0][3].items) == 2 and month.weeks[0][1].today
    assert (month.previous, month.next, month.last) == (date(2026, 8, 1), date(2026, 10, 1), date(2026, 9, 30))
    assert month_of("2026-10", date(2026, 9, 5)) == date(2026, 10, 1)
    for nonsense in ("", "2026-13", "x", "2026-10-01", "99999-01", "-5-1"):
        assert month_of(nonsense, date(2026, 9, 5)) == date(2026, 9, 1), nonsense


def test_my_bookings_as_a_calendar_keep_the_list_and_date_filters(app, login_as):
    freeze()
    school = factories.school()
    lab = factories.resource(owner_school=school, name="物理实验室")
    teacher = factories.user(school=school)
    other = factories.user(school=school)
    create_booking(teacher, single(lab, day=3))
    create_booking(teacher, single(lab, day=10, rrule="FREQ=WEEKLY;COUNT=3", title="兴趣小组"))
    create_booking(other, single(lab, day=4, title="别人的课"))
    db.session.commit()
    client = login_as(teacher)
    page = client.get("/bookings/mine?view=calendar&month=2026-09").get_data(as_text=True)
    assert 'id="month-grid"' in page and "2026年9月" in page
    assert page.count('href="/bookings/') >= 4 and "别人的课" not in page
    assert page.count("系列") >= 3  # every date of the series, each marked
    assert 'aria-current="page">日历' in page
    narrowed = client.get("/bookings/mine?view=calendar&month=2026-09&from=2026-09-15").get_data(as_text=True)
    assert narrowed.count("09:50–10:30") == 2  # 17 and 24 September
    past = client.get("/bookings/mine?view=calendar&month=2026-09&show=past").get_data(as_text=True)
    assert 'id="month-empty"' in past
    later = client.get("/bookings/mine?view=calendar&from=2026-10-01").get_data(as_text=True)
    assert "2026年10月" in later  # the month of the first filtered day
    listed = client.get("/bookings/mine?view=list&series=1").get_data(as_text=True)
    assert 'class="card-list"' in listed and 'id="month-grid"' not in listed


# --- confirmations -----------------------------------------------------------------------------

def test_deactivating_a_school_asks_first(app, login_as):
    school = factories.school(name="杨家岭小学")
    client = login_as(factories.user(role=Role.COORDINATOR))
    asked = client.post(f"/admin/schools/{school.id}/active", data={"active": "0"}).get_data(as_text=True)
    assert 'id="confirm-button"' in asked and "停用 杨家岭小学" in asked and "不会取消" in asked
    db.session.expire_all()
    assert school.active
    client.post(f"/admin/schools/{school.id}/active", data={"active": "0", "confirmed": "1"})
    db.session.expire_all()
    assert not school.active
    assert client.post(f"/admin/schools/{school.id}/active", data={"active": "1"}).status_code == 302  # no asking


def test_deleting_a_makeup_day_asks_first_and_says_which_timetable_it_drops(app, login_as):
    coordinator = factories.user(role=Role.COORDINATOR)
    made = create_makeup_day(MakeupDayInput(day=date(2026, 10, 10), follows_weekday=4, reason="国庆节补班"), coordinator)
    db.session.commit()
    made_id = made.id
    client = login_as(coordinator)
    asked = client.post(f"/admin/makeup-days/{made_id}/delete").get_data(as_text=True)
    assert 'id="confirm-button"' in asked and "2026年10月10日星期六" in asked and "星期五" in asked
    assert db.session.get(MakeupDay, made_id) is not None
    client.post(f"/admin/makeup-days/{made_id}/delete", data={"confirmed": "1"})
    assert db.session.get(MakeupDay, made_id) is None


def test_revoking_a_token_or_a_feed_link_asks_first(app, login_as):
    teacher = factories.user()
    token, _raw = accounts.issue_token(teacher, "课表同步")
    feed = feeds.create_feed(teacher, FeedScope.USER, None).feed
    db.session.commit()
    token_id, feed_id = token.id, feed.id
    client = login_as(teacher)
    asked = client.post(f"/profile/tokens/{token_id}/revoke").get_data(as_text=True)
    assert 'id="confirm-button"' in asked and "课表同步" in asked
    assert db.session.get(ApiToken, token_id).revoked_at is None
    client.post(f"/profile/tokens/{token_id}/revoke", data={"confirmed": "1"})
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is not None
    asked = client.post(f"/calendar/feeds/{feed_id}/revoke", data={"next": "/profile"}).get_data(as_text=True)
    assert 'id="confirm-button"' in asked and 'name="next" value="/profile"' in asked
    assert len(feeds.active_feeds(teacher)) == 1
    done = client.post(f"/calendar/feeds/{feed_id}/revoke", data={"next": "/profile", "confirmed": "1"})
    assert done.headers["Location"].endswith("/profile") and feeds.active_feeds(teacher) == []


def test_removing_a_group_robot_asks_first(app, login_as):
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = frozenset({"127.0.0.1"})
    school = factories.school()
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=school)
    robot = robots.add_robot(admin, kind="dingtalk", url="http://127.0.0.1:9/robot/send?access_token=t",
                             secret="SECx", school_id=school.id, label="教务群")
    db.session.commit()
    client = login_as(admin)
    asked = client.post(f"/notifications/robots/{robot.id}/delete").get_data(as_text=True)
    assert 'id="confirm-button"' in asked and "教务群" in asked
    assert len(robots.robots_of_school(school.id)) == 1
    client.post(f"/notifications/robots/{robot.id}/delete", data={"confirmed": "1"})
    assert robots.robots_of_school(school.id) == []
