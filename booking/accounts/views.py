"""Sign in and out, the profile page, and personal API tokens."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from booking.accounts import services
from booking.accounts.forms import LoginForm, ProfileForm, TokenForm
from booking.accounts.models import User
from booking.accounts.passwords import hash_password
from booking.extensions import db, login_manager
from booking.texts import lazy_gettext as _l
from booking.urls import safe_next_url

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message_category = "info"
login_manager.login_message = _l("Please sign in to see this page.")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(
                form.email.data, form.password.data, request.remote_addr or "",
                current_app.config["LOGIN_MAX_FAILURES"], current_app.config["LOGIN_WINDOW_MINUTES"],
            )
        except services.TooManyAttempts:
            flash(_("Too many failed sign-ins. Please wait %(minutes)d minutes and try again.",
                    minutes=current_app.config["LOGIN_WINDOW_MINUTES"]), "error")
            return render_template("accounts/login.html", form=form), 429
        if user is not None:
            login_user(user, remember=form.remember.data)
            session["locale"] = user.locale
            return redirect(safe_next_url(request.args.get("next")) or url_for("index"))
        flash(_("Wrong email or password."), "error")
        status = 401
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    session.pop("locale", None)
    return redirect(url_for("accounts.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.display_name = form.display_name.data.strip()
        current_user.locale = form.locale.data
        session["locale"] = form.locale.data
        if form.new_password.data:
            current_user.password_hash = hash_password(form.new_password.data)
        db.session.commit()
        flash(_("Your profile was saved."), "success")
        return redirect(url_for("accounts.profile"))
    return _profile_page(form, TokenForm())


def _profile_page(form: ProfileForm, token_form: TokenForm):
    page = render_template(
        "accounts/profile.html", form=form, token_form=token_form, tokens=services.tokens_of(current_user),
        new_token=session.pop("new_token", None),
    )
    return page, 422 if form.errors or token_form.errors else 200


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        _token, raw = services.issue_token(current_user, form.name.data or "")
        # Shown once on the next page, then gone: only the hash is stored.
        session["new_token"] = raw
        flash(_("A new API token was created. Copy it now: it will not be shown again."), "success")
    elif form.errors:
        return _profile_page(ProfileForm(obj=current_user), form)
    return redirect(url_for("accounts.profile"))


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    if services.revoke_token(current_user, token_id):
        flash(_("The token was revoked."), "success")
    return redirect(url_for("accounts.profile"))
