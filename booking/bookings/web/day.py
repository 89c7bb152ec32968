"""The day grid: many rooms of one school (or one kind across the district) × bell periods, for one day.

What a teacher asks at the start of a week — "which lab is free in 第3节 on Thursday?" — on one
screen. Each cell says its state in words; a free cell books that period at the room's own school.
Visiting teachers are left out: their periods follow the bells of the school they travel to.
"""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from booking.bookings.web import bp
from booking.bookings.web.grid import MAX_WEEKS_AWAY
from booking.bookings.web.queries import day_grid_for
from booking.extensions import db
from booking.i18n import local_today
from booking.paging import page_number, paginate
from booking.parsing import parse_day
from booking.permissions import visible_resources_clause
from booking.resources.models import Category, Resource, ResourceKind
from booking.resources.services import ResourceFilter, visible_resources_query
from booking.schools.models import School

COLUMNS_PER_PAGE = 8


def _shown_day(value):
    today = local_today()
    day = parse_day(value) if value else None
    return day if day is not None and abs((day - today).days) <= MAX_WEEKS_AWAY * 7 else today


def _schools_with_rooms() -> list[School]:
    """Schools that have rooms the user may book (the choice above the grid)."""
    rooms = select(Resource.owner_school_id).where(visible_resources_clause(current_user), Resource.active.is_(True),
                                                   Resource.kind != ResourceKind.TEACHER)
    return list(db.session.scalars(select(School).where(School.id.in_(rooms)).order_by(School.name)))


def _default_school_id(schools: list[School]) -> int | None:
    """The user's own school when it has rooms to share, else the first school that has."""
    ids = [s.id for s in schools]
    return current_user.school_id if current_user.school_id in ids else (ids[0] if ids else None)


@bp.get("/day")
@login_required
def day_grid():
    filters = ResourceFilter.from_args(request.args)
    schools = _schools_with_rooms()
    chose = filters.category is not None or filters.school_id is not None
    if not chose:
        filters.school_id = _default_school_id(schools)
    # Said when the grid shows another school than the user's own without being asked to.
    fallback = not chose and current_user.school_id is not None and filters.school_id not in (None, current_user.school_id)
    query = visible_resources_query(current_user, filters).where(Resource.kind != ResourceKind.TEACHER)
    page = paginate(query, page_number(request.args), COLUMNS_PER_PAGE)
    day = _shown_day(request.args.get("day"))
    return render_template("bookings/day.html", grid=day_grid_for(page.items, day), page=page, filters=filters,
                           schools=schools, categories=[c for c in Category if c != Category.VISITING_TEACHER],
                           own_school_has_no_rooms=fallback,
                           shown_school_name=next((s.name for s in schools if s.id == filters.school_id), ""))
