"""Pages: my digests (the same messages the email carried), how often I get them, and the
unsubscribe link that works without signing in (confirmed with a button; one-click for mail programs)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField

from booking.accounts.models import DigestFrequency, User
from booking.digests import preferences
from booking.digests.models import DigestKind
from booking.digests.render import locale_of
from booking.digests.unsubscribe import user_id_from_token
from booking.extensions import csrf, db
from booking.security_headers import allow_inline_styles
from booking.texts import lazy_gettext as _l
from booking.urls import safe_next_url
from booking.validation import ValidationFailed

bp = Blueprint("digests", __name__, url_prefix="/digests")

KIND_LABELS = {DigestKind.DAILY: _l("Daily"), DigestKind.WEEKLY: _l("Weekly"),
               DigestKind.ITINERARY: _l("Morning itinerary")}


class FrequencyForm(FlaskForm):
    # The service checks the value, so a bad one gets its message on this field.
    frequency = SelectField(_l("Usage digest by email"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.frequency.choices = preferences.frequency_choices()


def frequency_form() -> FrequencyForm:
    return FrequencyForm(frequency=current_user.digest_frequency.value)


@bp.app_template_global("digest_frequency_form")
def digest_frequency_form_global() -> FrequencyForm:
    """The form the profile page includes (templates/digests/_frequency_form.html)."""
    return frequency_form()


def _render_index(form: FrequencyForm, status: int = 200):
    return render_template("digests/index.html", form=form, digests=preferences.digests_of(current_user),
                           kind_labels=KIND_LABELS), status


@bp.get("/")
@login_required
def index():
    return _render_index(frequency_form())


@bp.post("/frequency")
@login_required
def save_frequency():
    form = FrequencyForm()
    if form.validate_on_submit():
        try:
            preferences.set_frequency(current_user, form.frequency.data or "", current_user)
        except ValidationFailed as failed:
            form.frequency.errors = [str(failed.errors["frequency"])]
        else:
            flash(_("Your digest setting was saved."), "success")
            return redirect(safe_next_url(request.form.get("next")) or url_for("digests.index"))
    return _render_index(form, 422)


@bp.get("/<id:message_id>")
@login_required
def show(message_id: int):
    message = preferences.digest_of(current_user, message_id)
    if message is None:
        abort(404)
    allow_inline_styles()  # the email's own inline styles, inside the sandboxed frame
    return render_template("digests/show.html", message=message, kind_labels=KIND_LABELS)


def _user_from(token: str) -> User | None:
    user_id = user_id_from_token(token)
    return db.session.get(User, user_id) if user_id is not None else None


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the credential; mail programs POST here (RFC 8058) without a form
def unsubscribe(token: str):
    """GET (the link in the email) asks first: mail scanners open links. A bare POST (the page's button,
    or a mail program's one-click ``List-Unsubscribe=One-Click``) unsubscribes; naming a frequency changes it."""
    user = _user_from(token)
    if user is None:
        return render_template("digests/unsubscribe_invalid.html"), 400
    if request.method == "GET":
        with force_locale(locale_of(user)):
            return render_template("digests/unsubscribe_confirm.html", user=user, token=token,
                                   DigestFrequency=DigestFrequency)
    chosen = request.form.get("frequency", DigestFrequency.NONE.value)
    error = None
    with force_locale(locale_of(user)):
        try:
            preferences.set_frequency(user, chosen, None, how="unsubscribe link")
        except ValidationFailed as failed:
            error = failed.errors["frequency"]
        page = render_template("digests/unsubscribed.html", user=user, error=error, token=token,
                               labels=preferences.FREQUENCY_LABELS, DigestFrequency=DigestFrequency)
    return page, 422 if error else 200
