"""/password/forgot and /password/reset/<token>. The first always answers the same."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from booking.form_helpers import attach_errors
from booking.password_reset import bp, services
from booking.password_reset.forms import ForgotForm, ResetForm
from booking.validation import ValidationFailed


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        services.request_reset(form.email.data, request.remote_addr or "")
        flash(_("If this address has an account, a link to choose a new password is on its way. "
                "It works once, within %(n)d minutes.", n=services.link_minutes()), "success")
        return redirect(url_for("accounts.login"))
    return render_template("password_reset/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    if services.user_for_token(token) is None:
        return render_template("password_reset/expired.html"), 410
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.new_password.data)
        except ValidationFailed as failed:
            attach_errors(form, failed.errors)
        else:
            flash(_("Your password was changed and every device signed out. Sign in with the new password."),
                  "success")
            return redirect(url_for("accounts.login"))
    return render_template("password_reset/reset.html", form=form), 422 if form.errors else 200
