"""/sso/…: start a sign-in at a provider (a POST with the CSRF token), come back, or sign in with the directory
(signing out at the provider: ``booking.sso.logout``).

Where to go afterwards (``next``) is checked by booking.urls.safe_next_url when the sign-in starts and kept
in the session, so a provider's callback cannot be pointed elsewhere.
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from booking.accounts import login_limits
from booking.accounts.login_limits import Limits, TooManyAttempts
from booking.accounts.views import _too_many_attempts
from booking.clock import utcnow
from booking.extensions import db
from booking.sso import cas, directory, oidc, services
from booking.sso.forms import DirectoryLoginForm
from booking.sso.profile import profile_from_claims
from booking.sso.settings import SsoSettings
from booking.texts import lazy_gettext as _l
from booking.urls import safe_next_url

bp = Blueprint("sso", __name__, url_prefix="/sso")
log = logging.getLogger(__name__)

NEXT_KEY, CAS_PENDING_KEY = "sso_next", "sso_cas_pending"
LOGOUT_KEY = "sso_signed_in"  # the provider this session came from, and the ID token, for the sign-out there
DEFAULT_LABELS = {"oidc": _l("Sign in with the education platform"), "cas": _l("Sign in with unified authentication (CAS)"),
                  "ldap": _l("Sign in with the school directory account")}


def _settings() -> SsoSettings:
    return current_app.config.get("SSO") or SsoSettings()


def _provider(name: str):
    settings = _settings().provider(name)
    if settings is None:
        abort(404)
    return settings


@bp.app_context_processor
def sso_buttons():
    """The login page's buttons: (provider, label) for each configured provider."""
    settings = _settings()
    return {"sso_providers": [(name, settings.provider(name).label or DEFAULT_LABELS[name])
                              for name in settings.configured]}


def _refused(message, status: int = 403):
    db.session.commit()  # the audit entry of the refusal stays although the answer is an error
    return render_template("sso/refused.html", message=message), status


def _signed_in(provider: str, subject: str, claims: dict, remember: bool = False, proof: str = ""):
    """Sign the account in; ``proof``: the ID token (OIDC) or the service ticket (CAS), kept for signing out."""
    profile = profile_from_claims(provider, subject, claims, _provider(provider).mapping, _settings().school_codes)
    try:
        user = services.sign_in(profile, request.remote_addr or "")
    except services.SignInRefused as refused:
        return _refused(refused.message)
    login_user(user, remember=remember)
    session["locale"] = user.locale
    if provider == "cas":
        services.remember_cas_ticket(user, proof)
    if provider in ("oidc", "cas"):
        session[LOGOUT_KEY] = {"provider": provider, "id_token": proof if provider == "oidc" else ""}
    return redirect(session.pop(NEXT_KEY, None) or url_for("index"))


def _unavailable(provider: str, error: Exception):
    log.warning("single sign-on with %s failed: %s", provider, error)
    return _refused(_("The sign-in service cannot be reached just now. Please try again later."), 502)


@bp.route("/<any(oidc, cas):provider>/start", methods=["POST"])
def start(provider: str):
    settings = _provider(provider)
    session[NEXT_KEY] = safe_next_url(request.form.get("next") or request.args.get("next"))
    if provider == "cas":
        session[CAS_PENDING_KEY] = True  # a ticket is only taken by a browser that started here
        return redirect(cas.login_url(settings))
    try:
        return oidc.start(settings)
    except oidc.OidcFailed as failed:
        return _unavailable(provider, failed)


@bp.route("/oidc/callback")
def oidc_callback():
    settings = _provider("oidc")
    try:
        claims, id_token = oidc.finish(settings)
    except oidc.OidcFailed as failed:
        if failed.unavailable:
            return _unavailable("oidc", failed)
        log.info("OIDC sign-in refused: %s", failed)
        return _refused(_("The sign-in did not succeed. Please start again from the sign-in page."), 400)
    return _signed_in("oidc", str(claims["sub"]), claims, proof=id_token)


@bp.route("/cas/callback")
def cas_callback():
    settings = _provider("cas")
    if not session.pop(CAS_PENDING_KEY, False):
        return _refused(_("The sign-in did not succeed. Please start again from the sign-in page."), 400)
    ticket = request.args.get("ticket", "")
    try:
        answer = cas.validate(settings, ticket)
    except cas.CasUnavailable as error:
        return _unavailable("cas", error)
    if answer is None:
        return _refused(_("The sign-in did not succeed. Please start again from the sign-in page."), 400)
    return _signed_in("cas", answer.user, {"user": answer.user, **answer.attributes}, proof=ticket)


@bp.route("/ldap", methods=["GET", "POST"])
def ldap_login():
    settings = _provider("ldap")
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    form, status = DirectoryLoginForm(), 200
    if form.validate_on_submit():
        # The sign-in limits of the password form, counted per directory user name.
        key, address, limits = f"ldap:{form.username.data.strip().lower()}", request.remote_addr or "", \
            Limits.from_config(current_app.config)
        try:
            login_limits.claim_attempt(key, address, limits, utcnow())
        except TooManyAttempts as refused:
            return _too_many_attempts(refused, "sso/ldap.html", form=form, label=sso_label("ldap"))
        try:
            entry = directory.authenticate(settings, form.username.data, form.password.data)
        except directory.AccountDisabled as disabled:
            login_limits.forget_quiet_counters(utcnow(), limits.window)
            services.record_refusal("ldap", str(disabled), "directory_disabled")
            return _refused(_("Your directory account is disabled."))
        except directory.DirectoryUnavailable as error:
            return _unavailable("ldap", error)
        if entry is not None:
            login_limits.succeeded(key, address, utcnow())
            session[NEXT_KEY] = safe_next_url(request.args.get("next"))
            return _signed_in("ldap", entry.subject, entry.attributes, remember=form.remember.data)
        login_limits.forget_quiet_counters(utcnow(), limits.window)
        flash(_("Wrong user name or password."), "error")
        status = 401
    return render_template("sso/ldap.html", form=form, label=sso_label("ldap")), status


def sso_label(name: str):
    return _provider(name).label or DEFAULT_LABELS[name]


from booking.sso import logout  # noqa: E402,F401  (registers single sign-out on bp)
