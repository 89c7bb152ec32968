"""Browsing resources: the list a teacher starts from. One resource's page, with its week grid, is a
booking page (``booking.bookings.web.resource_page``) registered on this blueprint."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from booking.paging import page_number, paginate
from booking.resources import services
from booking.resources.models import Category, ResourceKind
from booking.schools.services import list_schools

bp = Blueprint("resources", __name__, url_prefix="/resources")


@bp.get("/")
@login_required
def list_resources():
    filters = services.ResourceFilter.from_args(request.args)
    page = paginate(services.visible_resources_query(current_user, filters), page_number(request.args))
    return render_template(
        "resources/list.html", page=page, filters=filters, schools=list_schools(viewer=current_user),
        categories=list(Category), kinds=list(ResourceKind),
    )


from booking.resources import admin_views  # noqa: E402,F401  (registers the administration routes on bp)
