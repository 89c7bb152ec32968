"""Calendar pages: the feed itself, subscribing and unsubscribing, one booking as an .ics download.

``/feeds/<secret>.ics`` is public (calendar apps cannot sign in): the secret is the key. It
answers 404 for anything but an active feed, and 304 from an aggregate query when nothing changed.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.http import is_resource_modified

from booking.bookings.services import visible_booking_or_404
from booking.calendars import district, feeds, services
from booking.calendars.feeds import booking_calendar
from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.calendars.forms import SubscribeForm
from booking.calendars.models import FeedScope, FeedToken
from booking.calendars.targets import resolve_target
from booking.i18n import district_zone
from booking.form_helpers import CsrfOnlyForm
from booking.urls import safe_next_url
from booking.validation import MAX_ID, ValidationFailed

bp = Blueprint("calendars", __name__)
ICS_TYPE = "text/calendar; charset=utf-8"


def feed_links(secret: str) -> dict:
    """The feed's https (or, on a plain-http install, http) address and its webcal:// twin."""
    secure = request.is_secure or current_app.config.get("PREFERRED_URL_SCHEME") == "https"
    url = url_for("calendars.feed", secret=secret, _external=True, _scheme="https" if secure else "http")
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@bp.get("/feeds/<secret>.ics")
def feed(secret: str):
    token = services.active_feed(secret)
    if token is None:
        abort(404)
    owner = token.owner
    with force_locale(owner.locale):  # the calendar's words in the owner's language
        target = services.target_of(token)
        if target is None:
            abort(404)
        # The district feed has its own window, size limit and validator (booking.calendars.district).
        source = district if target.scope is FeedScope.DISTRICT else feeds
        window = source.window_for(district_zone())
        validator = source.feed_validator(token, owner, target, window)
        if is_resource_modified(request.environ, etag=validator.etag, last_modified=validator.last_modified):
            response = Response(source.feed_body(owner, target, window), content_type=ICS_TYPE)
        else:
            response = Response(status=304)
    response.set_etag(validator.etag)
    response.last_modified = validator.last_modified
    # Private: the URL is a secret. Revalidate each time; an unchanged feed costs a 304.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/calendar/bookings/<id:booking_id>.ics")
@login_required
def booking_ics(booking_id: int):
    """The "add to calendar" file of one booking; a date of a series brings the whole series (one UID)."""
    booking = visible_booking_or_404(current_user, booking_id)
    response = Response(booking_calendar(current_user, booking), content_type=ICS_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="booking-{booking.id}.ics"'
    return response


# --- subscribing -----------------------------------------------------------------------------------

@dataclass
class Panel:
    """What the "Subscribe" block of a page shows for one feed."""

    scope: str
    target_id: int | None
    name: str
    feeds: list[FeedToken]


def subscribe_panel(scope: str, target_id: int | None = None) -> Panel | None:
    """The block's content for the signed-in user; None when this feed is not theirs to have."""
    if not current_user.is_authenticated:
        return None
    try:
        target = resolve_target(current_user, scope, target_id)
    except ValidationFailed:
        return None
    feeds = services.active_feeds(current_user, target.scope, target.target_id)
    return Panel(target.scope.value, target.target_id, target.name, feeds)


def _parsed_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and int(value) <= MAX_ID else None


def _back(next_url: str | None = None):
    return redirect(safe_next_url(next_url) or url_for("calendars.manage"))


def _new_link_page(issued: services.Issued, message: str, next_url: str | None) -> Response:
    """The new link, in this response only: just its hash is stored, and the secret never goes into the
    session (a signed, not encrypted, cookie) nor into any cache."""
    target = services.target_of(issued.feed)
    back = safe_next_url(next_url) or url_for("calendars.manage")
    page = render_template("calendars/feed_link.html", message=message, links=feed_links(issued.secret),
                           name=target.name if target else "", back=back)
    response = Response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/calendar/feeds")
@login_required
def manage():
    wanted = [(FeedScope.USER.value, current_user.id)]
    if current_user.school_id is not None:
        wanted.append((FeedScope.SCHOOL.value, current_user.school_id))
    wanted.append((FeedScope.DISTRICT.value, None))
    for token in services.active_feeds(current_user):
        if (token.scope.value, token.target_id) not in wanted:
            wanted.append((token.scope.value, token.target_id))
    panels = [panel for scope, target_id in wanted if (panel := subscribe_panel(scope, target_id))]
    return render_template("calendars/feeds.html", panels=panels)


@bp.post("/calendar/feeds")
@login_required
def create():
    form = SubscribeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        issued = services.create_feed(current_user, form.scope.data, _parsed_id(form.target_id.data))
    except ValidationFailed as failed:
        for message in failed.errors.values():
            flash(message, "error")
    else:
        return _new_link_page(issued, _("Your subscription link is ready. Copy it now: it is shown only once."),
                              form.next.data)
    return _back(form.next.data)


def _own_feed_or_404(feed_id: int) -> FeedToken:
    feed = services.owned_feed(current_user, feed_id)
    if feed is None or not CsrfOnlyForm().validate_on_submit():
        abort(404 if feed is None else 400)
    return feed


@bp.post("/calendar/feeds/<id:feed_id>/regenerate")
@login_required
def regenerate(feed_id: int):
    feed = _own_feed_or_404(feed_id)
    try:
        issued = services.regenerate_feed(current_user, feed)
    except ValidationFailed as failed:
        for message in failed.errors.values():
            flash(message, "error")
    else:
        return _new_link_page(issued, _("A new link was made and the old one no longer works. Copy the new one now."),
                              request.form.get("next"))
    return _back(request.form.get("next"))


@bp.post("/calendar/feeds/<id:feed_id>/revoke")
@login_required
def revoke(feed_id: int):
    feed = _own_feed_or_404(feed_id)
    if not confirmed():
        return confirmation_page(Confirmation(
            title=_("Turn off this subscription link?"), action=request.path,
            back_url=safe_next_url(request.form.get("next")) or url_for("calendars.manage"),
            confirm_label=_("Turn off the link"), hidden={"next": request.form.get("next") or ""},
            consequences=[_("Calendars subscribed with it (…%(hint)s) stop updating; its events stay in them as they "
                            "were.", hint=feed.hint),
                          _("A link turned off cannot be turned on again; you can make a new one.")]))
    services.revoke_feed(current_user, feed)
    flash(_("The subscription link was turned off. Calendars using it stop updating."), "success")
    return _back(request.form.get("next"))


def register_template_globals(state) -> None:
    state.app.jinja_env.globals["subscribe_panel"] = subscribe_panel


bp.record_once(register_template_globals)

from booking.calendars import import_views  # noqa: E402,F401  (registers the import routes on bp)
from booking.calendars import closure_views  # noqa: E402,F401  (registers the closures pages on the admin blueprint)
