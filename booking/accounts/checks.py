"""What an account may hold, checked before it is created or changed (the pages, the API, the CSV import and
the command line get the same messages): the fields, and for coordinators their district and area.

A coordinator's ``district_id`` is the district they coordinate (学区长, or an area coordinator of an area in
it); none, with no area either: a county coordinator. Other roles belong to their school's district and
hold none. ``staff_number`` is the district's staff number (工号) single sign-on matches people by.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from booking.accounts.models import Role, User
from booking.accounts.passwords import MIN_PASSWORD_LENGTH
from booking.extensions import db
from booking.schools.models import District, School
from booking.texts import lazy_gettext as _l

STAFF_NUMBER_LENGTH = User.staff_number.type.length


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@dataclass
class UserInput:
    email: str
    display_name: str
    role: str
    school_code: str | None = None
    password: str | None = None
    locale: str = "zh_CN"
    area: str = ""  # a coordinator limited to one area (片区); empty: district-wide
    district_id: int | None = None  # a coordinator's district; None: county-wide (no area) — other roles: ignored
    staff_number: str = ""  # 工号; empty: none

    @classmethod
    def of(cls, user: User) -> "UserInput":
        """The account as it is (no password): what a partial change starts from."""
        return cls(user.email, user.display_name, user.role.value, user.school.code if user.school else None, None,
                   user.locale, user.area, user.district_id, user.staff_number or "")

    @property
    def coordinator_district_id(self) -> int | None:
        """The district stored on the account: a coordinator's, never another role's."""
        return self.district_id if self.role == Role.COORDINATOR else None


def _school_by_code(code: str) -> School | None:
    return db.session.scalar(select(School).where(School.code == code))


def check_user_input(data: UserInput, *, existing: User | None = None, find_user=find_user_by_email,
                     find_school=_school_by_code) -> tuple[dict, School | None]:
    """Field errors for a user about to be created or changed, and the school it names.

    ``find_user``/``find_school`` look up an email (normalised) and a school code: a bulk import passes
    lookups in maps it loaded with one query each instead of two queries a row."""
    errors: dict[str, str] = {}
    email = normalise_email(data.email)
    if "@" not in email or len(email) > 255:
        errors["email"] = _l("Enter a valid email address.")
    else:
        other = find_user(email)
        if other is not None and other is not existing:
            errors["email"] = _l("A user with this email already exists.")
    if not (data.display_name or "").strip():
        errors["display_name"] = _l("Enter a name.")
    if data.role not in {r.value for r in Role}:
        errors["role"] = _l("Choose teacher, school_admin or coordinator.")
    school = None
    if data.school_code:
        school = find_school(data.school_code.strip())
        if school is None:
            errors["school"] = _l("Unknown school code: %(code)s.", code=data.school_code)
    elif data.role in (Role.TEACHER, Role.SCHOOL_ADMIN):
        errors["school"] = _l("Teachers and school admins belong to a school.")
    # A new user needs a password; an edit may leave it blank to keep the old one.
    if (existing is None or data.password) and len(data.password or "") < MIN_PASSWORD_LENGTH:
        errors["password"] = _l("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if data.locale not in ("zh_CN", "en"):
        errors["locale"] = _l("Choose zh_CN or en.")
    for field, problem in (("district", _district_error(data)), ("area", _area_error(data)),
                           ("staff_number", _staff_number_error(data, existing))):
        if problem is not None:
            errors[field] = problem
    return errors, school


def school_areas(district_id: int | None = None) -> list[str]:
    """The areas (片区) the schools name, e.g. 上片, 下片: what a coordinator may be limited to (in one district
    when ``district_id`` is given)."""
    query = select(School.area).where(School.area != "")
    if district_id is not None:
        query = query.where(School.district_id == district_id)
    return list(db.session.scalars(query.distinct().order_by(School.area)))


def _area_error(data: UserInput):
    area = (data.area or "").strip()
    if not area:
        return None
    if data.role != Role.COORDINATOR:
        return _l("Only coordinators are limited to an area.")
    if area not in school_areas(data.coordinator_district_id):
        return _l("No school is in the area %(area)s.", area=area)
    return None


def _district_error(data: UserInput):
    district_id = data.coordinator_district_id
    if district_id is None:
        return None
    if isinstance(district_id, bool) or not isinstance(district_id, int) or db.session.get(District, district_id) \
            is None:
        return _l("Choose a district from the list.")
    return None


def clean_staff_number(data: UserInput) -> str | None:
    return (data.staff_number or "").strip() or None


def _staff_number_error(data: UserInput, existing: User | None):
    number = clean_staff_number(data)
    if number is None:
        return None
    if len(number) > STAFF_NUMBER_LENGTH:
        return _l("At most %(n)d characters.", n=STAFF_NUMBER_LENGTH)
    other = db.session.scalar(select(User).where(User.staff_number == number))
    if other is not None and other is not existing:
        return _l("Another user has this staff number.")
    return None
