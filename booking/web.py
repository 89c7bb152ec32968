"""Pages that belong to no single domain: the home page, the language switch, template globals."""
from __future__ import annotations

from flask import Flask, current_app, flash, g, has_request_context, redirect, render_template, request, session, url_for
from flask_login import current_user

from booking.paging import page_url
from booking.accounts.models import Role
from booking.extensions import db
from booking.permissions import home_district_id
from booking.schools.services import place_name
from booking.urls import safe_next_url
from booking.validation import ValidationFailed


def register(app: Flask) -> None:
    from booking.home import views as home  # the home page reads every domain; this module is read by them all

    app.add_url_rule("/", "index", home.index)
    app.add_url_rule("/language/<code>", "set_language", set_language, methods=["POST"])

    app.jinja_env.globals["field_attrs"] = field_attrs
    app.jinja_env.globals["page_url"] = page_url
    app.context_processor(home.header_counts)

    @app.context_processor
    def template_globals():
        return {"Role": Role, "district_name": header_place_name()}


def header_place_name() -> str:
    """The header's district: the signed-in user's own (a county coordinator's: the county), read once a
    request; outside a request (a digest's e-mail) the installation's."""
    if not has_request_context():
        return place_name(None)
    if "place_name" not in g:
        user = current_user if current_user and current_user.is_authenticated else None
        g.place_name = place_name(home_district_id(user) if user else None)
    return g.place_name


def set_language(code: str):
    """Switch the interface language; signed-in users keep the choice in their profile."""
    if code in current_app.config["SUPPORTED_LOCALES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
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


def save_form(form, save, success_message, next_url: str, template: str, show_errors, **context):
    """The add/edit page pattern: run ``save`` for a submitted form, flash ``success_message(saved)`` and
    redirect; or show the service's field errors with ``show_errors(form, errors)`` (422), nothing saved."""
    if form.validate_on_submit():
        try:
            saved = save()
        except ValidationFailed as failed:
            db.session.rollback()  # e.g. a text too long for its column, refused at the flush: nothing is kept
            show_errors(form, failed.errors)
        else:
            flash(success_message(saved), "success")
            return redirect(next_url)
    return render_template(template, form=form, **context), 422 if form.errors else 200
