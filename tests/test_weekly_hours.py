"""How lists read: weekly hours as runs of days with the same times (booking.labels.weekly_hours), and names
in a row with the reader's comma (booking.i18n.enumeration)."""
from __future__ import annotations

from datetime import time
from types import SimpleNamespace

from flask_babel import force_locale

from booking.labels import weekly_hours


def hours(*rows):
    return [SimpleNamespace(weekday=day, opens=time(*opens), closes=time(*closes)) for day, opens, closes in rows]


WEEK = hours(*[(day, (8, 0), (12, 0)) for day in range(5)], *[(day, (14, 0), (17, 0)) for day in range(5)],
             (5, (9, 0), (11, 30)))


def test_days_with_the_same_times_share_a_line(app):
    with force_locale("en"):
        assert weekly_hours(WEEK) == [("Monday to Friday", "08:00–12:00, 14:00–17:00"), ("Saturday", "09:00–11:30")]
    assert weekly_hours(WEEK) == [("星期一至星期五", "08:00–12:00，14:00–17:00"), ("星期六", "09:00–11:30")]


def test_a_gap_or_other_times_start_a_new_line(app):
    with force_locale("en"):
        assert weekly_hours(hours((0, (8, 0), (9, 0)), (2, (8, 0), (9, 0)), (3, (8, 0), (10, 0)))) == [
            ("Monday", "08:00–09:00"), ("Wednesday", "08:00–09:00"), ("Thursday", "08:00–10:00")]
    assert weekly_hours([]) == []


def test_names_in_a_row_take_the_enumeration_comma_in_chinese(app):
    from booking.i18n import enumeration

    assert enumeration(["美术", "音乐"]) == "美术、音乐"
    with force_locale("en"):
        assert enumeration(["Art", "Music"]) == "Art, Music"
    assert enumeration([]) == ""
