"""The county, its districts and their schools: bell times, travel between campuses, terms, closures,
make-up teaching days."""
from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Time, UniqueConstraint, false, insert, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.clock import utcnow
from booking.db_types import UtcNow, UTCDateTime
from booking.enums import db_enum
from booking.extensions import db


class Stage(StrEnum):
    KINDERGARTEN = "kindergarten"
    PRIMARY = "primary"
    JUNIOR = "junior"
    NINE_YEAR = "nine_year"


DEFAULT_COUNTY_NAME = "本县"


class County(db.Model):
    """A county (县域, its education bureau): the districts it runs are judged together (migration 0010k)."""

    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    districts: Mapped[list["District"]] = relationship(back_populates="county", order_by="District.id")


def _installation_county_id(context) -> int:
    """A district made without a county joins the installation's first county (made when there is none),
    so a one-district installation is a county of one without anyone naming it."""
    connection = context.connection
    county_id = connection.scalar(select(County.id).order_by(County.id).limit(1))
    if county_id is None:
        county_id = connection.execute(insert(County).values(name=DEFAULT_COUNTY_NAME, created_at=utcnow())
                                       ).inserted_primary_key[0]
    return county_id


class District(db.Model):
    """A 学区. A county's own bodies (县直, e.g. the 青少年活动中心) are schools marked ``district_owned``
    in a district of their own that no district coordinator manages: only county coordinators."""

    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True, default=_installation_county_id)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[County] = relationship(back_populates="districts")


class School(db.Model):
    __tablename__ = "schools"
    __table_args__ = (
        CheckConstraint("enrollment >= 0", name="enrollment_not_negative"),
        CheckConstraint("lead_school_id IS NULL OR lead_school_id <> id", name="not_tied_to_itself"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    stage: Mapped[Stage] = mapped_column(db_enum(Stage, "school_stage"))
    enrollment: Mapped[int] = mapped_column(Integer, default=0)
    is_lead: Mapped[bool] = mapped_column(default=False)
    is_weak: Mapped[bool] = mapped_column(default=False)
    lead_school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    area: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    # A row standing for the district's (or county's) own body, e.g. 青少年活动中心 (migration 0008e): its
    # resources are district resources in the reports, neither any school's own use nor another school's.
    district_owned: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Calendar feeds print school names: their ETag and cached events follow this.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow,
                                                 server_default=UtcNow())
    # A version counter (migration 0011c): every UPDATE of a school is a compare-and-set on the version read,
    # and the API's changes name the version they were made from (a stale one changes nothing: 409).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    district: Mapped[District] = relationship()
    lead_school: Mapped["School | None"] = relationship(remote_side=[id], back_populates="tied_schools")
    tied_schools: Mapped[list["School"]] = relationship(back_populates="lead_school")
    bell_periods: Mapped[list["BellPeriod"]] = relationship(
        back_populates="school", order_by="BellPeriod.number", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<School {self.code} {self.name}>"


class TravelTime(db.Model):
    """Minutes between two campuses, one row per unordered pair (smaller id first)."""

    __tablename__ = "travel_times"
    __table_args__ = (
        CheckConstraint("school_a_id < school_b_id", name="ordered_pair"),
        CheckConstraint("minutes >= 0", name="minutes_not_negative"),
    )

    school_a_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)
    school_b_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)


class BellPeriod(db.Model):
    """第N节 at one school, in the school's local wall-clock time."""

    __tablename__ = "bell_periods"
    __table_args__ = (
        UniqueConstraint("school_id", "number"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)

    school: Mapped[School] = relationship(back_populates="bell_periods")


class Term(db.Model):
    """A 学期: the span recurring bookings run to and mandates are counted in."""

    __tablename__ = "terms"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class Closure(db.Model):
    """Days nothing can be booked: one school's (``school_id``), every school of one district (``school_id``
    NULL, ``district_id`` set: a district's sports meet) or every school of the county (both NULL: a national
    holiday; migration 0013a). A school's closure keeps its school's district in ``district_id``.

    Whole days when ``start_time``/``end_time`` are NULL; otherwise closed only from ``start_time`` to
    ``end_time`` (district wall-clock time) on each of its days, e.g. 08:00–12:00 for a morning event.
    """

    __tablename__ = "closures"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("(start_time IS NULL AND end_time IS NULL) OR "
                        "(start_time IS NOT NULL AND end_time IS NOT NULL AND end_time > start_time)",
                        name="time_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    start_time: Mapped[time | None] = mapped_column(Time)  # migration 0009c
    end_time: Mapped[time | None] = mapped_column(Time)
    # Set when the closure came from an .ics import, so re-importing matches instead of duplicating.
    source_uid: Mapped[str | None] = mapped_column(String(255), index=True)

    school: Mapped[School | None] = relationship()
    district: Mapped[District | None] = relationship()

    @property
    def whole_day(self) -> bool:
        return self.start_time is None


class MakeupDay(db.Model):
    """A make-up teaching day (调休上课 / 补班): the date is taught like ``follows_weekday`` (0 = Monday).

    Placed like closures (migration 0013a): one school's, every school of one district (``school_id`` NULL,
    ``district_id`` set) or the county's (both NULL); the nearest wins on a date. Weekly series, opening
    hours, the week grid and a visiting teacher's timetable treat the date as the weekday it follows; a
    closure on the same date still closes it.
    """

    __tablename__ = "makeup_days"
    __table_args__ = (CheckConstraint("follows_weekday BETWEEN 0 AND 6", name="follows_weekday_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    follows_weekday: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    # Set when it came from an .ics import, so re-importing matches instead of duplicating.
    source_uid: Mapped[str | None] = mapped_column(String(255), index=True)

    school: Mapped[School | None] = relationship()
