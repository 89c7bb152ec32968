"""View decorators (sign-in and role) and the page-level rules of the county report and the mandate plan."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from booking.accounts.models import Role
from booking.permissions.scopes import can_manage_district, is_county_coordinator, is_district_coordinator


# --- views ----------------------------------------------------------------------------------------

def role_required(role: Role):
    """View decorator: sign-in required, then at least ``role``; otherwise 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def district_coordinator_required(view):
    """View decorator: sign-in required, then a district coordinator (not an area coordinator); otherwise 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not is_district_coordinator(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def can_see_county_report(user) -> bool:
    """The county equity report names every school of every district: county coordinators."""
    return is_county_coordinator(user)


def can_plan_mandates(user) -> bool:
    """The term's mandate plan (propose, commit as visits): district coordinators."""
    return can_manage_district(user)
