"""One resource's page: its facts and, while it is in service, the week grid to book from.

Registered on the ``resources`` blueprint (/resources/<id>) because that is where people find it;
it lives here because the week grid is the booking engine's answer for the signed-in user.
"""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user, login_required

from booking.bookings.web.grid import focus_day, step_day
from booking.bookings.web.queries import week_grid_for
from booking.extensions import db
from booking.i18n import local_today
from booking.permissions import can_see_resource
from booking.quotas.services import notice_for, quotas_for, resolved_window
from booking.resources.models import Resource
from booking.resources.views import bp


@bp.get("/<id:resource_id>")
@login_required
def show_resource(resource_id: int):
    resource = db.session.get(Resource, resource_id)
    if resource is None or not can_see_resource(current_user, resource):
        abort(404)
    grid = week_grid_for(resource, request.args.get("week")) if resource.active else None
    fair = notice_for(current_user, resource, local_today(), grid.days if grid else ())
    focus = focus_day(grid, request.args.get("day"), local_today()) if grid and grid.days else None
    steps = (step_day(grid, focus, -1), step_day(grid, focus, 1)) if focus else (None, None)
    return render_template("resources/show.html", resource=resource, grid=grid, fair=fair, focus=focus, steps=steps,
                           window_setting=resolved_window(resource), term_quotas=quotas_for(resource))
