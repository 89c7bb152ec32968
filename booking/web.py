"""Pages that belong to no single domain: the home page, the language switch, template globals."""
from __future__ import annotations

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from booking.accounts.models import Role
from booking.extensions import db
from booking.urls import safe_next_url


def register(app: Flask) -> None:
    app.add_url_rule("/", "index", index)
    app.add_url_rule("/language/<code>", "set_language", set_language, methods=["POST"])

    app.jinja_env.globals["field_attrs"] = field_attrs

    @app.context_processor
    def template_globals():
        return {"Role": Role, "district_name": current_app.config["DISTRICT_NAME"]}


@login_required
def index():
    return redirect(url_for("resources.list_resources"))


def set_language(code: str):
    """Switch the interface language; signed-in users keep the choice in their profile."""
    if code in current_app.config["SUPPORTED_LOCALES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("index"))


def field_attrs(field, hint=None) -> dict:
    """ARIA attributes tying a form field to its error and hint (see templates/_forms.html)."""
    attrs = {}
    described = ([f"{field.id}-error"] if field.errors else []) + ([f"{field.id}-hint"] if hint else [])
    if field.errors:
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return attrs
