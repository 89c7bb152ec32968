"""The home page at ``/`` and the header's count of requests waiting for an answer."""
from __future__ import annotations

from flask import g, render_template
from flask_login import current_user, login_required

from booking.accounts.models import Role
from booking.bookings.approvals import waiting_request_count
from booking.home.services import home_for


@login_required
def index():
    return render_template("home/index.html", home=home_for(current_user))


def header_counts():
    def waiting_requests() -> int:
        """Counted once per page, only for those who answer requests."""
        if not (current_user.is_authenticated and current_user.has_role(Role.SCHOOL_ADMIN)):
            return 0
        if "waiting_requests" not in g:
            g.waiting_requests = waiting_request_count(current_user)
        return g.waiting_requests

    return {"waiting_requests": waiting_requests}
