"""Sign in and out, the profile page, changing the password, and personal API tokens."""
from __future__ import annotations

import math

from flask import (Blueprint, current_app, flash, make_response, redirect, render_template, request, session,
                   url_for)
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from booking.accounts import services
from booking.accounts.forms import ChangePasswordForm, LoginForm, ProfileForm, TokenForm
from booking.accounts.login_limits import Limits, TooManyAttempts
from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.accounts.models import User
from booking.clock import utcnow
from booking.extensions import db, login_manager
from booking.form_helpers import attach_errors
from booking.texts import lazy_gettext as _l
from booking.urls import safe_next_url
from booking.validation import ValidationFailed

bp = Blueprint("accounts", __name__)
# app.extensions key: functions a sign-out asks, in order, where to send the browser next (None: nowhere special),
# so a package above this one (single sign-on) can send it on to the provider's logout.
LOGOUT_REDIRECTS = "logout_redirects"

login_manager.login_view = "accounts.login"
login_manager.login_message_category = "info"
login_manager.login_message = _l("Please sign in to see this page.")

# What a user who must replace an initial password may still open: besides the form, signing out and
# the language, the links that carry their own token (calendar feeds, one-click unsubscribe). The API
# refuses on its own (403).
OPEN_UNTIL_PASSWORD_CHANGED = {"accounts.change_password", "accounts.logout", "set_language", "static",
                               "calendars.feed", "digests.unsubscribe"}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of a session or remember-me cookie, if it was issued for their current session version."""
    user_part, _sep, version_part = user_id.partition(":")
    if not (user_part.isdigit() and version_part.isdigit()):
        return None  # a cookie from before session versions, or forged
    user = db.session.get(User, int(user_part))
    if user is None or user.session_version != int(version_part):
        return None
    return user


@bp.before_app_request
def require_password_change():
    if request.endpoint in OPEN_UNTIL_PASSWORD_CHANGED or request.blueprint == "api":
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("accounts.change_password", next=back))
    return None


def _limits() -> Limits:
    return Limits.from_config(current_app.config)


def _too_many_attempts(refused: TooManyAttempts, template: str, **context):
    """429 with when to try again, in words and as Retry-After."""
    seconds = max(1, math.ceil((refused.retry_at - utcnow()).total_seconds()))
    flash(_("Too many failed sign-ins. Please try again in %(minutes)d min, at %(time)s.",
            minutes=math.ceil(seconds / 60), time=format_time(refused.retry_at, "short")), "error")
    return render_template(template, **context), 429, {"Retry-After": str(seconds)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "", _limits())
        except TooManyAttempts as refused:
            return _too_many_attempts(refused, "accounts/login.html", form=form)
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
    # Where to go next: a single sign-on provider's logout, when the session came from one (booking.sso.logout).
    onward = next(filter(None, (ask() for ask in current_app.extensions.get(LOGOUT_REDIRECTS, ()))), None)
    # Everywhere: this cookie and any copy of it, other devices and remember-me cookies included.
    services.end_sessions(current_user)
    logout_user()
    session.pop("locale", None)
    return redirect(onward or url_for("accounts.login"))


def _profile_page(form: ProfileForm, token_form: TokenForm | None = None, new_token: str | None = None):
    token_form = token_form or TokenForm()
    page = render_template("accounts/profile.html", form=form, token_form=token_form,
                           tokens=services.tokens_of(current_user), new_token=new_token)
    return page, 422 if form.errors or token_form.errors else 200


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(current_user, form.display_name.data, form.locale.data)
        session["locale"] = form.locale.data
        flash(_("Your profile was saved."), "success")
        return redirect(url_for("accounts.profile"))
    return _profile_page(form)


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    context = {"form": form, "forced": current_user.must_change_password}
    if form.validate_on_submit():
        try:
            user = services.change_password(current_user._get_current_object(), form.current_password.data,
                                            form.new_password.data, request.remote_addr or "", _limits())
        except TooManyAttempts as refused:
            return _too_many_attempts(refused, "accounts/password.html", **context)
        except ValidationFailed as failed:
            attach_errors(form, failed.errors)
        else:
            # Every other session ended with the old version; this one goes on under the new one.
            login_user(user, remember=current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
                       in request.cookies)
            flash(_("Your password was changed. Other devices are signed out."), "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("accounts.profile"))
    return render_template("accounts/password.html", **context), 422 if form.errors else 200


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        _token, raw = services.issue_token(current_user, form.name.data or "")
        # Shown once, in this answer only: not kept in the session cookie, not cached. Only the hash is stored.
        page, status = _profile_page(ProfileForm(obj=current_user), new_token=raw)
        response = make_response(page, status)
        response.headers["Cache-Control"] = "no-store"
        return response
    if form.errors:
        return _profile_page(ProfileForm(obj=current_user), token_form=form)
    return redirect(url_for("accounts.profile"))


@bp.route("/profile/tokens/<id:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = next((t for t in services.tokens_of(current_user) if t.id == token_id and t.revoked_at is None), None)
    if token is not None and not confirmed():
        return confirmation_page(Confirmation(
            title=_("Revoke the token %(name)s?", name=token.name or token.prefix), action=request.path,
            back_url=url_for("accounts.profile"), confirm_label=_("Revoke the token"),
            consequences=[_("Every program using it (%(prefix)s…) is refused from then on; make a new token for it.",
                            prefix=token.prefix),
                          _("A revoked token cannot be restored.")]))
    if services.revoke_token(current_user, token_id):
        flash(_("The token was revoked."), "success")
    return redirect(url_for("accounts.profile"))
