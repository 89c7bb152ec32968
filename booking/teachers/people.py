"""Who a visiting teacher's lesson concerns: the teacher who gives it and the school that hosts it."""
from __future__ import annotations

from sqlalchemy import select

from booking.bookings.models import Booking
from booking.extensions import db
from booking.permissions import can_manage_school
from booking.resources.models import ResourceKind
from booking.teachers.models import TeacherProfile


def is_lesson(booking: Booking) -> bool:
    return booking.resource.kind == ResourceKind.TEACHER


def gives_lesson(user, booking: Booking) -> bool:
    """Whether ``user`` is the visiting teacher booked for ``booking``."""
    if not user.is_authenticated or not is_lesson(booking):
        return False
    return db.session.scalar(select(TeacherProfile.id).where(TeacherProfile.user_id == user.id,
                                                             TeacherProfile.resource_id == booking.resource_id)) is not None


def records_lesson(user, booking: Booking) -> bool:
    """The teacher, or an admin of the host school, may record a visiting teacher's lesson
    (the booker and the lead school's admins may record any booking; see reports.outcomes)."""
    return is_lesson(booking) and (can_manage_school(user, booking.school_id) or gives_lesson(user, booking))
