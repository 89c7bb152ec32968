"""Identity providers the SSO tests start on 127.0.0.1 themselves: an OpenID provider built on
Authlib's authorization server, and a minimal CAS server. Each runs in a thread on a free port.

Neither asks for a password: the test names who is signed in there (``signed_in``), as a person who had
already signed in at the provider would be. Everything else is what a real provider checks: the client,
its secret and redirect URI, the PKCE verifier, single-use codes and tickets bound to their service.
"""
from __future__ import annotations

import secrets
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, redirect, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from xml.sax.saxutils import escape


@contextmanager
def serving(app: Flask):
    """``app`` served on 127.0.0.1 at a free port, in a thread; yields its base address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def signed_out(provider, back_parameter: str):
    """A provider's logout page: it ends whoever's session it holds and sends the browser back as asked."""
    provider.logouts.append(request.args.to_dict())
    provider.signed_in = None
    back = request.args.get(back_parameter)
    return redirect(back) if back else ("signed out", 200)


# --- OpenID Connect ------------------------------------------------------------------------------------

@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uri: str

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: dict
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class OpenIdProvider:
    """The provider's state: its client, signing key, who is signed in, the codes it issued."""

    def __init__(self, client_id: str, client_secret: str, redirect_uri: str):
        self.client = Client(client_id, client_secret, redirect_uri)
        # A key id of its own: a provider started later on the same port has other keys, as after a rotation.
        self.kid = f"key-{secrets.token_hex(8)}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": self.kid, "use": "sig", "alg": "RS256"})
        self.issuer = ""
        self.reset()

    def reset(self) -> None:
        """Forget every sign-in, code and request: a provider one test leaves as the next one would find a new one."""
        self.signed_in: dict | None = None  # the claims of whoever is signed in at the provider
        self.codes: dict[str, Code] = {}
        self.nonce_override: str | None = None  # a test's forged nonce in the next ID token
        self.authorize_requests: list[dict] = []
        self.end_session = True  # whether the metadata names an end_session_endpoint (RP-initiated logout)
        self.logouts: list[dict] = []  # the end-session requests it was sent


def _grant(provider: OpenIdProvider):
    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, req):
            payload = req.payload
            provider.codes[code] = Code(
                code=code, client_id=req.client.client_id, redirect_uri=payload.redirect_uri, scope=payload.scope,
                user=req.user, nonce=payload.data.get("nonce"), code_challenge=payload.data.get("code_challenge"),
                code_challenge_method=payload.data.get("code_challenge_method"))

        def query_authorization_code(self, code, client):
            found = provider.codes.get(code)
            return found if found is not None and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code):
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    return AuthorizationCodeGrant


def _openid(provider: OpenIdProvider):
    class ProviderOpenIDCode(OpenIDCode):
        def exists_nonce(self, nonce, req):
            return any(code.nonce == nonce for code in provider.codes.values())

        def resolve_client_private_key(self, client):
            return provider.key

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": provider.kid}

        def get_client_claims(self, client):
            return {"iss": provider.issuer, "aud": [client.client_id], "exp": int(time.time()) + 600}

        def get_authorization_code_claims(self, authorization_code):
            claims = super().get_authorization_code_claims(authorization_code)
            if provider.nonce_override is not None:
                claims["nonce"] = provider.nonce_override
            return claims

        def generate_user_info(self, user, scope):
            return dict(user)

    return ProviderOpenIDCode(require_nonce=True)


def openid_app(provider: OpenIdProvider) -> Flask:
    app = Flask("test_openid_provider")
    app.config["SECRET_KEY"] = "provider"
    server = AuthorizationServer(app, query_client=lambda client_id: provider.client
                                 if client_id == provider.client.client_id else None,
                                 save_token=lambda token, req: None)
    server.register_grant(_grant(provider), [_openid(provider), CodeChallenge(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        base = provider.issuer
        logout = {"end_session_endpoint": f"{base}/end-session"} if provider.end_session else {}
        return jsonify(issuer=base, authorization_endpoint=f"{base}/authorize", token_endpoint=f"{base}/token",
                       jwks_uri=f"{base}/jwks", response_types_supported=["code"], subject_types_supported=["public"],
                       id_token_signing_alg_values_supported=["RS256"], code_challenge_methods_supported=["S256"],
                       token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"], **logout)

    @app.get("/end-session")
    def end_session():
        """RP-initiated logout: ends the provider's session and goes back where the client asked."""
        return signed_out(provider, "post_logout_redirect_uri")

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[provider.key.as_dict(private=False)])

    @app.get("/authorize")
    def authorize():
        provider.authorize_requests.append(request.args.to_dict())
        if provider.signed_in is None:
            return "nobody is signed in at the provider", 401
        return server.create_authorization_response(grant_user=provider.signed_in)

    @app.post("/token")
    def token():
        return server.create_token_response()

    return app


@contextmanager
def openid_provider(redirect_uri: str, client_id: str = "district-share", client_secret: str = "s3cret"):
    provider = OpenIdProvider(client_id, client_secret, redirect_uri)
    with serving(openid_app(provider)) as base:
        provider.issuer = base
        yield provider


# --- CAS ----------------------------------------------------------------------------------------------

@dataclass
class CasServer:
    signed_in: tuple[str, dict[str, list[str]]] | None = None  # user and attributes of whoever is signed in
    tickets: dict[str, tuple[str, str, dict]] = field(default_factory=dict)  # ticket → service, user, attributes
    base: str = ""
    validations: list[dict] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  # every ticket issued, in order
    logouts: list[dict] = field(default_factory=list)  # the /logout requests browsers made

    def reset(self) -> None:
        """Forget every sign-in, ticket and request (``OpenIdProvider.reset``)."""
        self.signed_in = None
        for kept in (self.tickets, self.validations, self.issued, self.logouts):
            kept.clear()

    @staticmethod
    def logout_request(ticket: str) -> str:
        """The SAML LogoutRequest a CAS server POSTs to a service (as ``logoutRequest``) when the SSO session ends."""
        return ('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
                f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="LR-{secrets.token_hex(8)}" Version="2.0" '
                'IssueInstant="2026-12-02T03:00:00Z"><saml:NameID>@NOT_USED@</saml:NameID>'
                f'<samlp:SessionIndex>{escape(ticket)}</samlp:SessionIndex></samlp:LogoutRequest>')


def _cas_answer(found, with_attributes: bool) -> str:
    ns = 'xmlns:cas="http://www.yale.edu/tp/cas"'
    if found is None:
        return (f'<cas:serviceResponse {ns}><cas:authenticationFailure code="INVALID_TICKET">'
                f'ticket not recognised</cas:authenticationFailure></cas:serviceResponse>')
    _service, user, attributes = found
    extra = "".join(f"<cas:{name}>{escape(value)}</cas:{name}>" for name, values in attributes.items()
                    for value in values) if with_attributes else ""
    return (f"<cas:serviceResponse {ns}><cas:authenticationSuccess><cas:user>{escape(user)}</cas:user>"
            f"<cas:attributes>{extra}</cas:attributes></cas:authenticationSuccess></cas:serviceResponse>")


def cas_app(cas: CasServer) -> Flask:
    app = Flask("test_cas_server")

    @app.get("/cas/login")
    def login():
        if cas.signed_in is None:
            return "nobody is signed in at CAS", 401
        service = request.args["service"]
        ticket = f"ST-{secrets.token_urlsafe(16)}"
        cas.tickets[ticket] = (service, *cas.signed_in)
        cas.issued.append(ticket)
        return redirect(f"{service}{'&' if '?' in service else '?'}{urlencode({'ticket': ticket})}")

    def validate(with_attributes: bool):
        cas.validations.append(request.args.to_dict())
        found = cas.tickets.pop(request.args.get("ticket", ""), None)  # a ticket works once
        if found is not None and found[0] != request.args.get("service"):
            found = None
        return _cas_answer(found, with_attributes), 200, {"Content-Type": "application/xml"}

    @app.get("/cas/logout")
    def logout():
        return signed_out(cas, "service")

    app.add_url_rule("/cas/serviceValidate", "validate2", lambda: validate(False))
    app.add_url_rule("/cas/p3/serviceValidate", "validate3", lambda: validate(True))
    return app


@contextmanager
def cas_server():
    cas = CasServer()
    with serving(cas_app(cas)) as base:
        cas.base = f"{base}/cas"
        yield cas
