"""What each role's digest says, in Chinese and English, with the real figures of a known day.

The plain-text parts are compared with tests/snapshots/digests/<role>.<locale>.txt (the
unsubscribe token, which depends on the user id, is masked). After a deliberate change of
wording, rewrite them with UPDATE_SNAPSHOTS=1 and review the diff.
"""
import os
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from booking.accounts.models import DigestFrequency, Role
from booking.digests.content import DigestWindow, changes_since, kinds_on
from booking.digests.models import DigestKind
from booking.digests.render import render_digest
from tests import factories
from tests.booking_support import local
from tests.digest_support import CUT, DIGEST_DATE, add, at_digest_time, build_scenario, digest_run, window

SNAPSHOTS = Path(__file__).parent / "snapshots" / "digests"

# Each role's figures of the scenario's day, as they must read in each language.
EXPECTED = {
    "coordinator": {
        "zh_CN": ["已完成 2.2 小时（未到场 0.7 小时）", "25.0%", "实验室", "体育馆", "北村小学", "0.7",
                  "共享获得的加权差异系数 2.000，总获得 0.269", "0.500", "未达标", "中心小学", "0.0%",
                  "等待超过24小时的申请：1", "篮球馆 (中心小学)", "未到场", "10:40–11:20"],
        "en": ["2.2 hours delivered", "25.0%", "Laboratory", "Gym", "北村小学", "0.7",
               "weighted CV of shared access 2.000, of total access 0.269, against the pass mark 0.500: shared "
               "access does not pass", "中心小学 received 0.0%",
               "Requests waiting more than 24 hours: 1", "No-shows", "10:40–11:20"],
    },
    "admin": {
        "zh_CN": ["中心小学", "借出给", "北村小学", "使用小时数（已完成）", "使用小时数（未到场）", "0.7",
                  "等待您审批的申请：1", "篮球馆", "篮球训练", "李春梅"],
        "en": ["中心小学 lending and borrowing", "Lent to", "北村小学", "Hours of use (delivered)",
               "Hours of use (no-show)", "0.7", "Requests waiting for your answer: 1", "篮球训练", "李春梅"],
    },
    "teacher": {
        "zh_CN": ["明天的预约", "08:50–09:30", "14:00–14:40", "科学实验室 (中心小学)", "待审批", "已取消",
                  "学生参加镇运动会"],
        "en": ["Your bookings tomorrow", "08:50–09:30", "14:00–14:40", "Waiting for approval",
               "Cancelled: 学生参加镇运动会"],
    },
}


def masked(text: str) -> str:
    return re.sub(r"/digests/unsubscribe/\S+", "/digests/unsubscribe/<token>", text)


def matches_snapshot(name: str, text: str) -> bool:
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(masked(text), encoding="utf-8")
    return path.read_text(encoding="utf-8") == masked(text)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
@pytest.mark.parametrize("role", ["coordinator", "admin", "teacher"])
def test_each_role_gets_its_figures_in_its_language(app, role, locale):
    scenario = build_scenario(locale)
    at_digest_time()
    rendered = render_digest(digest_run(), getattr(scenario, role), window())
    assert rendered.locale == locale
    for figure in EXPECTED[role][locale]:
        assert figure in rendered.text, figure
        assert figure.replace("&", "&amp;") in rendered.html, figure
    assert "/digests/unsubscribe/" in rendered.text and "/digests/unsubscribe/" in rendered.html
    assert matches_snapshot(f"{role}.{locale}", rendered.text)


def test_subject_names_the_district_and_the_day(app):
    scenario = build_scenario("en")
    at_digest_time()
    assert render_digest(digest_run(), scenario.teacher, window()).subject == \
        "新天学区 daily digest, Wednesday, November 18, 2026"


def test_a_digest_without_news_is_not_rendered(app):
    scenario = build_scenario()
    idle = factories.user(school=scenario.village, email="idle@example.cn")
    at_digest_time()
    assert render_digest(digest_run(), idle, window()) is None
    # Two weeks later nothing happened the day before and nothing waits: the term's equity
    # figures alone are context, not news.
    later_cut = CUT + timedelta(days=14)
    assert render_digest(digest_run(later_cut), scenario.coordinator,
                         window(digest_date=DIGEST_DATE + timedelta(days=14), cut=later_cut)) is None


def test_changes_already_reported_are_not_repeated(app):
    scenario = build_scenario()
    at_digest_time()
    next_cut = CUT + timedelta(days=1)
    following = window(digest_date=DIGEST_DATE + timedelta(days=1), cut=next_cut, previous_cut=CUT)
    rendered = render_digest(digest_run(next_cut), scenario.teacher, following)
    assert rendered is None or "学生参加镇运动会" not in rendered.text
    first = render_digest(digest_run(), scenario.teacher, window(previous_cut=CUT - timedelta(days=1)))
    assert "学生参加镇运动会" in first.text


def test_weekly_digest_on_sunday_covers_the_coming_week_with_dates(app):
    scenario = build_scenario("en")
    sunday = date(2026, 11, 15)
    assert kinds_on(sunday) == {DigestKind.DAILY, DigestKind.WEEKLY} and kinds_on(DIGEST_DATE) == {DigestKind.DAILY}
    cut = datetime(2026, 11, 15, 13, tzinfo=timezone.utc)
    weekly = DigestWindow(sunday, DigestKind.WEEKLY, cut, cut - timedelta(days=7))
    assert weekly.past == (date(2026, 11, 8), date(2026, 11, 14)) and weekly.ahead == (date(2026, 11, 16),
                                                                                      date(2026, 11, 22))
    add(scenario.lab, scenario.village, local(11, 16, 8, 50), local(11, 16, 9, 30), scenario.teacher)
    rendered = render_digest(digest_run(cut), scenario.teacher, weekly)
    assert "Your bookings in the coming week" in rendered.text
    for day in ("Nov 16, 2026 08:50–09:30", "Nov 19, 2026 08:50–09:30", "Nov 19, 2026 14:00–14:40"):
        assert day in rendered.text, day
    assert "Nov 20, 2026" not in rendered.text  # cancelled, and cancelled after this digest's cut


def test_a_school_admin_who_books_also_gets_the_teachers_part(app):
    scenario = build_scenario("en")
    add(scenario.lab, scenario.lead, local(11, 19, 10, 40), local(11, 19, 11, 20), scenario.admin, title="公开课")
    at_digest_time()
    text = render_digest(digest_run(), scenario.admin, window()).text
    assert text.index("Requests waiting for your answer") < text.index("Your bookings tomorrow")
    assert "公开课" in text


def test_unknown_locale_falls_back_to_chinese(app):
    scenario = build_scenario()
    scenario.teacher.locale = "fr"
    scenario.teacher.digest_frequency = DigestFrequency.DAILY
    at_digest_time()
    rendered = render_digest(digest_run(), scenario.teacher, window())
    assert rendered.locale == "zh_CN" and "明天的预约" in rendered.text


def test_changes_start_at_the_previous_digests_cut_within_a_week():
    day = timedelta(days=1)
    assert changes_since(None, CUT, DigestKind.DAILY) == CUT - day
    assert changes_since(None, CUT, DigestKind.WEEKLY) == CUT - 7 * day
    assert changes_since(CUT - 3 * day, CUT, DigestKind.DAILY) == CUT - 3 * day  # nights without news
    assert changes_since(CUT - 30 * day, CUT, DigestKind.DAILY) == CUT - day  # digests were off for a month
    assert changes_since(CUT + day, CUT, DigestKind.DAILY) == CUT  # an older date sent by hand: nothing new


def test_an_area_coordinator_gets_their_areas_requests_not_the_districts_figures(app):
    """Both scenario schools are in 上片: its area coordinator answers the gym request; the 下片 one
    has nothing in the digest (the district's per-school figures are the district coordinators')."""
    build_scenario()
    upper = factories.user(role=Role.COORDINATOR, area="上片", email="shangpian@example.cn")
    lower = factories.user(role=Role.COORDINATOR, area="下片", email="xiapian@example.cn")
    at_digest_time()
    rendered = render_digest(digest_run(), upper, window())
    assert "等待您审批的申请：1" in rendered.text and "篮球馆" in rendered.text
    assert "加权差异系数" not in rendered.text and "未到场" not in rendered.text  # the district's equity, no-shows
    assert render_digest(digest_run(), lower, window()) is None
