"""Coordinator administration of schools, travel times, bell schedules, terms and closures."""
from __future__ import annotations

from flask import Blueprint, render_template

from booking.accounts.models import Role
from booking.permissions import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@role_required(Role.COORDINATOR)
def dashboard():
    return render_template("admin/dashboard.html")
