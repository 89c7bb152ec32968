"""The demo's priority booking windows and a term quota on a scarce resource (booking.quotas).

Village schools (all weak, 薄弱学校) book 28 days ahead, the lead schools 14, their own rooms too;
the computer rooms (scarce, approval required) are shared out at 12 hours per school per term, the
owner school's own classes up to 60 hours.
"""
from __future__ import annotations

from booking.quotas.settings import set_quota, set_window
from booking.resources.models import Category
from booking.schools.models import District

WINDOW = {"weak_days": 28, "other_days": 14, "owner_days": 14}
COMPUTER_ROOM_QUOTA = {"hours": 12, "owner_hours": 60}


def create_fair_shares(district: District) -> None:
    set_window(None, district.id, WINDOW)
    set_quota(None, district.id, COMPUTER_ROOM_QUOTA, category=Category.COMPUTER_ROOM.value)
