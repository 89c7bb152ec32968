"""Browsing resources: the list a teacher starts from, and one resource's page."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from booking.bookings.web_queries import week_grid_for
from booking.extensions import db
from booking.i18n import local_today
from booking.permissions import can_see_resource
from booking.quotas.services import notice_for, quotas_for, resolved_window
from booking.resources import services
from booking.resources.models import Category, Resource, ResourceKind
from booking.schools.services import list_schools

bp = Blueprint("resources", __name__, url_prefix="/resources")


@bp.get("/")
@login_required
def list_resources():
    filters = services.ResourceFilter.from_args(request.args)
    resources = services.visible_resources(current_user, filters)
    return render_template(
        "resources/list.html", resources=resources, filters=filters, schools=list_schools(),
        categories=list(Category), kinds=list(ResourceKind),
    )


@bp.get("/<id:resource_id>")
@login_required
def show_resource(resource_id: int):
    resource = db.session.get(Resource, resource_id)
    if resource is None or not can_see_resource(current_user, resource):
        abort(404)
    grid = week_grid_for(resource, request.args.get("week")) if resource.active else None
    fair = notice_for(current_user, resource, local_today(), grid.days if grid else ())
    return render_template("resources/show.html", resource=resource, grid=grid, fair=fair,
                           window_setting=resolved_window(resource), term_quotas=quotas_for(resource))


from booking.resources import admin_views  # noqa: E402,F401  (registers the administration routes on bp)
