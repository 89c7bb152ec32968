"""Signing in with OpenID Connect through a local provider built on Authlib's server (tests/sso_servers.py).

The app's own Authlib client fetches the discovery document and keys, redirects (with state, nonce and a
PKCE challenge), exchanges the code and checks the ID token; the test carries the browser's part.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt

from booking.accounts.models import Role
from booking.sso import oidc
from tests import factories
from tests.sso_servers import openid_provider
from tests.sso_support import SITE, audit, configure, links, signed_in_user, user_count

CALLBACK = f"{SITE}/sso/oidc/callback"
WANG = {"sub": "edu-7f3a9", "email": "wang.li@xt.example.cn", "email_verified": True, "name": "王丽",
        "school_code": "XT01"}


# The protocol is the subject here, not the database: the accounts it makes are the services' (both backends).
pytestmark = pytest.mark.one_backend


@pytest.fixture(scope="module")
def running_provider():
    """One provider for the module (starting one costs a 2048-bit key); each test gets it reset."""
    with openid_provider(CALLBACK) as running:
        yield running


@pytest.fixture
def provider(app, running_provider):
    running_provider.reset()
    app.extensions.pop(oidc.NAME, None)  # the app's client and the metadata it fetched: each test discovers anew
    configure(app, SSO_OIDC_ISSUER=running_provider.issuer, SSO_OIDC_CLIENT_ID="district-share",
              SSO_OIDC_CLIENT_SECRET="s3cret", SSO_OIDC_LABEL="国家中小学智慧教育平台")
    running_provider.signed_in = dict(WANG)
    return running_provider


@pytest.fixture
def xt01(app):
    return factories.school(code="XT01")


def to_provider(client, next_url: str | None = None) -> str:
    """Press the login page's button: the app's redirect to the provider's authorization endpoint."""
    start = client.post("/sso/oidc/start", data={"next": next_url} if next_url else {})
    assert start.status_code == 302, start.get_data(as_text=True)
    return start.headers["Location"]


def back_from_provider(location: str) -> str:
    """The browser at the provider, which sends it back to the app's callback (path and query)."""
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    callback = answer.headers["Location"]
    assert callback.startswith(CALLBACK + "?")
    return callback[len(SITE):]


def sign_in(client, next_url: str | None = None):
    return client.get(back_from_provider(to_provider(client, next_url)))


def test_the_authorization_request_carries_state_nonce_and_a_pkce_challenge(app, provider, client):
    location = to_provider(client)
    assert location.startswith(f"{provider.issuer}/authorize?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    assert query["redirect_uri"] == CALLBACK and query["client_id"] == "district-share"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 20 and len(query["nonce"]) >= 20


def test_a_first_sign_in_creates_a_teacher_in_the_school_and_the_second_reuses_it(app, provider, xt01):
    first = app.test_client()
    answer = sign_in(first, next_url="/profile")
    assert answer.status_code == 302 and answer.headers["Location"] == "/profile"
    [link] = links("oidc")
    assert link.subject == "edu-7f3a9"
    user = link.user
    assert (user.email, user.display_name, user.role, user.school_id) == \
        ("wang.li@xt.example.cn", "王丽", Role.TEACHER, xt01.id)
    assert signed_in_user(first) == user.id
    second = app.test_client()
    assert sign_in(second).status_code == 302 and signed_in_user(second) == user.id
    assert user_count() == 1 and len(links("oidc")) == 1
    assert [e.details["how"] for e in audit("user.sso_login")] == ["created", "linked"]


def test_matching_by_email_links_the_existing_account(app, provider, xt01, client):
    coordinator = factories.user(email="Wang.Li@xt.example.cn".lower(), role=Role.COORDINATOR)
    assert sign_in(client).status_code == 302
    assert signed_in_user(client) == coordinator.id and coordinator.role == Role.COORDINATOR
    assert [link.user_id for link in links("oidc")] == [coordinator.id] and user_count() == 1


def test_an_unverified_email_matches_nobody(app, provider, xt01, client):
    factories.user(email="wang.li@xt.example.cn", school=xt01)
    provider.signed_in["email_verified"] = False
    assert sign_in(client).status_code == 403 and signed_in_user(client) is None and links("oidc") == []


def test_a_deactivated_account_cannot_sign_in(app, provider, xt01, client):
    teacher = factories.user(email="wang.li@xt.example.cn", school=xt01)
    assert sign_in(client).status_code == 302
    client.post("/logout")
    teacher.active = False
    answer = sign_in(client)
    assert answer.status_code == 403 and signed_in_user(client) is None
    assert audit("user.sso_refused")[0].details["reason"] == "account_inactive"


def test_a_callback_with_a_state_this_browser_was_not_given_signs_nobody_in(app, provider, xt01):
    victim, attacker = app.test_client(), app.test_client()
    to_provider(victim)
    callback = back_from_provider(to_provider(attacker))
    assert victim.get(callback).status_code == 400 and signed_in_user(victim) is None
    assert app.test_client().get("/sso/oidc/callback?code=x&state=forged").status_code == 400
    assert user_count() == 0


def test_a_callback_works_once(app, provider, xt01, client):
    callback = back_from_provider(to_provider(client))
    assert client.get(callback).status_code == 302
    client.post("/logout")
    assert client.get(callback).status_code == 400 and signed_in_user(client) is None


def test_an_id_token_with_another_nonce_is_refused(app, provider, xt01, client):
    provider.nonce_override = "replayed-nonce"
    assert sign_in(client).status_code == 400 and user_count() == 0 and signed_in_user(client) is None


def test_a_wrong_client_secret_is_refused_by_the_provider(app, provider, xt01, client):
    configure(app, SSO_OIDC_ISSUER=provider.issuer, SSO_OIDC_CLIENT_ID="district-share",
              SSO_OIDC_CLIENT_SECRET="guessed")
    assert sign_in(client).status_code == 400 and user_count() == 0


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_cannot_lead_off_the_site(app, provider, xt01, client, next_url):
    answer = sign_in(client, next_url=next_url)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"


def test_the_login_page_shows_the_providers_button(app, provider, client):
    page = client.get("/login?next=/profile").get_data(as_text=True)
    assert "国家中小学智慧教育平台" in page and 'action="/sso/oidc/start"' in page and 'value="/profile"' in page
    assert "其他登录方式" in page
    client.post("/language/en")
    assert "Other ways to sign in" in client.get("/login").get_data(as_text=True)


def test_starting_a_sign_in_needs_the_csrf_token(csrf_app, provider):
    assert csrf_app.test_client().post("/sso/oidc/start").status_code == 400


def test_an_unreachable_provider_answers_502(app, xt01, client):
    configure(app, SSO_OIDC_ISSUER="http://127.0.0.1:1", SSO_OIDC_CLIENT_ID="x", SSO_TIMEOUT_SECONDS="2")
    assert client.post("/sso/oidc/start").status_code == 502


def test_unconfigured_providers_are_not_found(app, client):
    configure(app)
    assert client.post("/sso/oidc/start").status_code == 404 and client.get("/sso/ldap").status_code == 404
    assert "/sso/" not in client.get("/login").get_data(as_text=True)


def test_signing_out_ends_the_session_at_the_provider_too(app, provider, xt01, client):
    """RP-initiated logout: the sign-out goes on to the provider's end_session_endpoint with the ID token as
    hint, and the provider sends the browser back to the sign-in page."""
    assert sign_in(client).status_code == 302
    leaving = client.post("/logout")
    assert leaving.status_code == 302 and client.get("/profile").status_code == 302  # signed out here
    location = leaving.headers["Location"]
    assert location.startswith(f"{provider.issuer}/end-session?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    assert query["post_logout_redirect_uri"] == f"{SITE}/login" and query["client_id"] == "district-share"
    assert jwt.decode(query["id_token_hint"], provider.key).claims["sub"] == WANG["sub"]  # the provider's own token
    back = requests.get(location, allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == f"{SITE}/login" and provider.signed_in is None


def test_a_provider_without_an_end_session_endpoint_is_left_signed_in(app, provider, xt01, client):
    provider.end_session = False
    assert sign_in(client).status_code == 302
    leaving = client.post("/logout")
    assert leaving.headers["Location"] == "/login" and provider.logouts == []
    assert provider.signed_in is not None and client.get("/profile").status_code == 302


def test_a_password_sign_in_signs_out_here_only(app, provider, xt01, client, login_as):
    login_as(factories.user(school=xt01))
    assert client.post("/logout").headers["Location"] == "/login" and provider.logouts == []
