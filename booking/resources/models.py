"""Bookable assets: facilities, equipment kits, visiting teachers; and when they open."""
from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, Time, false
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from booking.clock import utcnow
from booking.db_types import UTCDateTime
from booking.enums import db_enum
from booking.extensions import db
from booking.schools.models import School


class ResourceKind(StrEnum):
    FACILITY = "facility"
    EQUIPMENT = "equipment"
    TEACHER = "teacher"


class Category(StrEnum):
    GYM = "gym"
    SPORTS_FIELD = "sports_field"
    LAB = "lab"
    LIBRARY = "library"
    MUSIC_ROOM = "music_room"
    ART_ROOM = "art_room"
    COMPUTER_ROOM = "computer_room"
    MULTIMEDIA_ROOM = "multimedia_room"
    OFF_CAMPUS_BASE = "off_campus_base"
    EQUIPMENT_KIT = "equipment_kit"
    VISITING_TEACHER = "visiting_teacher"


# Which categories belong to which kind: the forms and the CSV import check against it.
CATEGORIES_BY_KIND = {
    ResourceKind.FACILITY: [
        Category.GYM, Category.SPORTS_FIELD, Category.LAB, Category.LIBRARY, Category.MUSIC_ROOM,
        Category.ART_ROOM, Category.COMPUTER_ROOM, Category.MULTIMEDIA_ROOM, Category.OFF_CAMPUS_BASE,
    ],
    ResourceKind.EQUIPMENT: [Category.EQUIPMENT_KIT],
    ResourceKind.TEACHER: [Category.VISITING_TEACHER],
}


class Sharing(StrEnum):
    DISTRICT = "district"  # the schools of the owner's district
    OWN_SCHOOL = "own_school"
    COUNTY = "county"  # every school of the county (migration 0010k)


class OutsideTerm(StrEnum):
    """What booking a date outside every term (in a gap between two terms: 寒假, 暑假) does."""

    CONFIRM = "confirm"  # allowed once the booker confirms it is meant (the default)
    REFUSE = "refuse"
    ALLOW = "allow"  # e.g. a 社会实践基地 that runs holiday camps


class Resource(db.Model):
    __tablename__ = "resources"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("stock >= 1", name="stock_positive"),
        CheckConstraint("min_duration_minutes IS NULL OR min_duration_minutes > 0", name="min_duration_positive"),
        CheckConstraint(
            "max_duration_minutes IS NULL OR min_duration_minutes IS NULL"
            " OR max_duration_minutes >= min_duration_minutes",
            name="max_duration_not_below_min",
        ),
        CheckConstraint("max_advance_days IS NULL OR max_advance_days >= 0", name="advance_not_negative"),
        CheckConstraint("check_in_before_minutes BETWEEN 0 AND 240", name="check_in_before_range"),
        CheckConstraint("check_in_after_minutes BETWEEN 0 AND 240", name="check_in_after_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    kind: Mapped[ResourceKind] = mapped_column(db_enum(ResourceKind, "resource_kind"))
    category: Mapped[Category] = mapped_column(db_enum(Category, "resource_category"))
    # Lab subject (physics, chemistry …) or a teacher's subject (music, pe, art …).
    subject: Mapped[str] = mapped_column(String(50), default="")
    name: Mapped[str] = mapped_column(String(100))
    location: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=1)
    sharing: Mapped[Sharing] = mapped_column(db_enum(Sharing, "resource_sharing"), default=Sharing.DISTRICT)
    approval_required: Mapped[bool] = mapped_column(default=False)
    min_duration_minutes: Mapped[int | None] = mapped_column(Integer)
    max_duration_minutes: Mapped[int | None] = mapped_column(Integer)
    max_advance_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Check-in (migration 0008e): None = the kind's default (on for rooms and teachers, off for equipment).
    # The window runs from ``before`` minutes ahead of the start to ``after`` minutes past it (the grace).
    check_in: Mapped[bool | None] = mapped_column()
    check_in_before_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    check_in_after_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    # The waitlist (migration 0009w, booking.waitlist): weak schools' classes are served before the others.
    waitlist_weak_first: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Bookings in a gap between terms (migration 0009m): confirm, refuse or allow.
    outside_term: Mapped[OutsideTerm] = mapped_column(db_enum(OutsideTerm, "resource_outside_term"),
                                                      default=OutsideTerm.CONFIRM, server_default="confirm")

    owner_school: Mapped[School] = relationship()
    opening_hours: Mapped[list["OpeningHours"]] = relationship(
        back_populates="resource",
        order_by="(OpeningHours.weekday, OpeningHours.opens)",
        cascade="all, delete-orphan",
    )

    @property
    def is_quantity_based(self) -> bool:
        return self.kind == ResourceKind.EQUIPMENT

    @property
    def checks_in(self) -> bool:
        return self.check_in if self.check_in is not None else not self.is_quantity_based

    def __repr__(self) -> str:
        return f"<Resource {self.id} {self.name}>"


class OpeningHours(db.Model):
    """One opening window on a weekday (0 = Monday), in the owner school's wall-clock time."""

    __tablename__ = "opening_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("closes > opens", name="closes_after_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    resource: Mapped[Resource] = relationship(back_populates="opening_hours")


# What the booking rules read of a resource, loaded with it in ONE query (booking.bookings.planning and the
# booking lock of booking.bookings.guarantee, which reads the row as it locks it).
def resource_for_rules(school: bool = True) -> tuple:
    """The loader options that read a resource with what the booking rules read of it (``school``: its owner
    school too). A function, not a constant: building the options configures the mappers, which must wait
    until every model is imported."""
    hours = joinedload(Resource.opening_hours)
    return (joinedload(Resource.owner_school), hours) if school else (hours,)
