"""Who may see and change what. Pure rules over users, schools and resources; no request, no session."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from booking.accounts.models import Role


def can_manage_district(user) -> bool:
    return user.is_authenticated and user.role == Role.COORDINATOR


def can_manage_school(user, school_id: int | None) -> bool:
    """Coordinators manage every school; a school admin manages their own."""
    if not user.is_authenticated:
        return False
    if user.role == Role.COORDINATOR:
        return True
    return user.role == Role.SCHOOL_ADMIN and school_id is not None and user.school_id == school_id


def can_see_resource(user, resource) -> bool:
    """District-shared resources are visible to all; own-school ones to that school and coordinators."""
    if not resource.active and not can_manage_school(user, resource.owner_school_id):
        return False
    if resource.sharing == "district":
        return True
    return user.role == Role.COORDINATOR or user.school_id == resource.owner_school_id


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
