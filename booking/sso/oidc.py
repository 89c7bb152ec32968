"""OpenID Connect with Authlib's Flask client: discovery, the authorization redirect, the code exchange.

Authlib keeps ``state``, ``nonce`` and the PKCE ``code_verifier`` (S256) in the session between the
redirect and the callback, refuses a callback whose state it did not issue, and checks the ID token's
signature (the provider's JWKS), issuer, audience, expiry and nonce. The redirect URI is the configured
one (PUBLIC_URL), never the request's host. Signing out: RP-initiated logout at the provider's
``end_session_endpoint`` when its metadata has one.
"""
from __future__ import annotations

import logging
from urllib.parse import urlencode

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app
from joserfc.errors import JoseError
from requests import RequestException

from booking.sso.settings import OidcSettings

NAME = "sso_oidc"
log = logging.getLogger(__name__)


class OidcFailed(Exception):
    """The provider refused, or its answer did not pass the checks; ``unavailable`` when unreachable."""

    def __init__(self, reason: str, unavailable: bool = False):
        super().__init__(reason)
        self.unavailable = unavailable


def client(settings: OidcSettings) -> FlaskOAuth2App:
    """One client per settings and app: it keeps the discovery document and keys it fetched."""
    clients = current_app.extensions.setdefault(NAME, {})
    if settings not in clients:
        clients[settings] = FlaskOAuth2App(
            FlaskIntegration(NAME), NAME, client_id=settings.client_id, client_secret=settings.client_secret,
            server_metadata_url=settings.discovery_url,
            client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256", "timeout": settings.timeout})
    return clients[settings]


def start(settings: OidcSettings):
    """The redirect to the provider's authorization endpoint (state, nonce and PKCE kept in the session)."""
    try:
        return client(settings).authorize_redirect(settings.redirect_uri)
    except (RequestException, ValueError, KeyError, RuntimeError) as error:
        raise OidcFailed(f"discovery failed: {error}", unavailable=True) from error


def finish(settings: OidcSettings) -> tuple[dict, str]:
    """The checked ID token's claims (with the userinfo endpoint's, for the same subject, if it has one), and
    the ID token itself (the hint of a later sign-out)."""
    oauth = client(settings)
    try:
        token = oauth.authorize_access_token()
        claims = token.get("userinfo")
        if not claims or not claims.get("sub"):
            raise OidcFailed("no ID token")
        claims = dict(claims)
        if oauth.load_server_metadata().get("userinfo_endpoint"):
            extra = oauth.userinfo(token=token)
            if extra.get("sub") == claims["sub"]:
                claims = {**extra, **claims}
        return claims, token.get("id_token") or ""
    except OAuthError as error:
        raise OidcFailed(f"{error.error}: {error.description}") from error
    except (JoseError, AuthlibBaseError) as error:
        raise OidcFailed(f"ID token refused: {error}") from error
    except RequestException as error:
        raise OidcFailed(str(error), unavailable=True) from error


def logout_url(settings: OidcSettings, id_token: str) -> str | None:
    """RP-initiated logout: the provider's ``end_session_endpoint`` with the ID token as hint and the address
    to come back to; None when its metadata names none (or cannot be read: then only this site signs out)."""
    try:
        endpoint = client(settings).load_server_metadata().get("end_session_endpoint") or ""
    except (RequestException, ValueError) as error:
        log.warning("OIDC metadata unreadable at sign-out: %s", error)
        return None
    if not endpoint.startswith(("https://", "http://")):
        return None
    params = {"client_id": settings.client_id, "post_logout_redirect_uri": settings.after_logout_url}
    if id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"
