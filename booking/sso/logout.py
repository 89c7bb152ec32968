"""Single sign-out: leaving this site leaves the provider too, and the CAS server's logout reaches this site.

- Front channel: the sign-out (accounts.logout) asks ``provider_logout_url`` where to send the browser next.
  A session that came from OpenID Connect goes to the provider's ``end_session_endpoint`` (RP-initiated
  logout, with ``id_token_hint`` and ``post_logout_redirect_uri``) when its metadata has one; one that came
  from CAS goes to the CAS server's ``/logout?service=…``. Either comes back to the configured address.
- Back channel: the CAS server POSTs a SAML ``logoutRequest`` to the service URL naming the ticket of a
  sign-in; the account that ticket signed in is signed out everywhere (``services.single_logout``). The
  answer is the same whether or not the ticket names anyone.
"""
from __future__ import annotations

from flask import request, session

from booking.accounts.views import LOGOUT_REDIRECTS
from booking.extensions import csrf
from booking.sso import cas, oidc, services
from booking.sso.views import LOGOUT_KEY, _provider, _settings, bp


def provider_logout_url() -> str | None:
    """Where a sign-out sends the browser next: the provider's logout when this session came from one."""
    signed_in = session.pop(LOGOUT_KEY, None) or {}
    provider = signed_in.get("provider")
    settings = _settings().provider(provider) if provider in ("oidc", "cas") else None
    if settings is None:
        return None
    if provider == "cas":
        return cas.logout_url(settings)
    return oidc.logout_url(settings, signed_in.get("id_token") or "")


bp.record_once(lambda state: state.app.extensions.setdefault(LOGOUT_REDIRECTS, []).append(provider_logout_url))


@bp.post("/cas/callback")
def cas_single_logout():
    """The CAS server's back-channel logout (a form field ``logoutRequest``); 400 when there is none readable."""
    _provider("cas")
    ticket = cas.logout_ticket(request.form.get("logoutRequest", ""))
    if ticket is None:
        return "", 400
    services.single_logout(ticket)
    return "", 200


csrf.exempt(cas_single_logout)  # the CAS server posts it, with no session and no form of ours
