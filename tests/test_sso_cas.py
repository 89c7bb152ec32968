"""Signing in with CAS 2 and 3 through a minimal local CAS server (tests/sso_servers.py)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from booking.accounts.models import Role
from tests import factories
from tests.sso_servers import CasServer, cas_server
from tests.sso_support import SITE, audit, configure, links, signed_in_user, user_count

SERVICE = f"{SITE}/sso/cas/callback"
LI = ("lihua", {"mail": ["li.hua@lz.example.cn"], "displayName": ["李华"], "schoolCode": ["LZ01"]})


# The protocol is the subject here, not the database: the accounts it makes are the services' (both backends).
pytestmark = pytest.mark.one_backend


@pytest.fixture(scope="module")
def running_cas():
    with cas_server() as running:
        yield running


@pytest.fixture
def cas(app, running_cas):
    running_cas.reset()
    configure(app, SSO_CAS_URL=running_cas.base, SSO_CAS_VERSION="3")
    running_cas.signed_in = LI
    return running_cas


@pytest.fixture
def lz01(app):
    return factories.school(code="LZ01")


def to_cas(client, **kwargs) -> str:
    start = client.post("/sso/cas/start", **kwargs)
    assert start.status_code == 302
    return start.headers["Location"]


def back_from_cas(location: str) -> str:
    answer = requests.get(location, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].startswith(SERVICE + "?ticket=ST-")
    return answer.headers["Location"][len(SITE):]


def sign_in(client):
    return client.get(back_from_cas(to_cas(client)))


def test_cas_3_signs_in_a_new_teacher_in_the_school_and_reuses_the_account(app, cas, lz01):
    first = app.test_client()
    assert sign_in(first).status_code == 302
    [link] = links("cas")
    user = link.user
    assert (link.subject, user.email, user.display_name, user.role, user.school_id) == \
        ("lihua", "li.hua@lz.example.cn", "李华", Role.TEACHER, lz01.id)
    second = app.test_client()
    assert sign_in(second).status_code == 302 and signed_in_user(second) == user.id and user_count() == 1
    assert [v["service"] for v in cas.validations] == [SERVICE, SERVICE]
    assert [e.details["how"] for e in audit("user.sso_login")] == ["created", "linked"]


def test_the_service_url_comes_from_the_configuration_not_the_request(app, cas, client):
    location = to_cas(client, headers={"Host": "evil.example"}, base_url="http://evil.example")
    assert location.startswith(f"{cas.base}/login?")
    assert parse_qs(urlsplit(location).query)["service"] == [SERVICE]


def test_a_ticket_is_only_taken_by_the_browser_that_started_the_sign_in(app, cas, lz01):
    callback = back_from_cas(to_cas(app.test_client()))  # e.g. a link an attacker sends
    victim = app.test_client()
    assert victim.get(callback).status_code == 400 and signed_in_user(victim) is None and user_count() == 0


def test_a_ticket_works_once(app, cas, lz01, client):
    callback = back_from_cas(to_cas(client))
    assert client.get(callback).status_code == 302
    client.post("/logout")
    to_cas(client)
    assert client.get(callback).status_code == 400 and signed_in_user(client) is None


def test_a_ticket_issued_for_another_service_is_refused(app, cas, lz01, client):
    to_cas(client)
    elsewhere = requests.get(f"{cas.base}/login", params={"service": "http://other.example/cb"},
                             allow_redirects=False, timeout=10)
    ticket = parse_qs(urlsplit(elsewhere.headers["Location"]).query)["ticket"][0]
    assert client.get(f"/sso/cas/callback?ticket={ticket}").status_code == 400 and user_count() == 0


def test_cas_2_matches_the_cas_user_name_to_a_staff_number(app, cas, client):
    configure(app, SSO_CAS_URL=cas.base, SSO_CAS_VERSION="2", SSO_CAS_STAFF_CLAIM="user")
    cas.signed_in = ("T2001", {"mail": ["ignored@lz.example.cn"]})
    teacher = factories.user(staff_number="T2001")
    assert sign_in(client).status_code == 302 and signed_in_user(client) == teacher.id
    assert cas.validations[0].keys() == {"service", "ticket"} and user_count() == 1
    assert links("cas")[0].subject == "T2001"


def test_cas_2_without_a_match_creates_no_account(app, cas, lz01, client):
    configure(app, SSO_CAS_URL=cas.base, SSO_CAS_VERSION="2")
    answer = sign_in(client)
    assert answer.status_code == 403 and user_count() == 0
    assert audit("user.sso_refused")[0].details["reason"] == "no_email"


def test_a_deactivated_account_cannot_sign_in_with_cas(app, cas, lz01, client):
    factories.user(email="li.hua@lz.example.cn", school=lz01, active=False)
    assert sign_in(client).status_code == 403 and signed_in_user(client) is None and links("cas") == []


def test_signing_out_ends_the_cas_session_too(app, cas, lz01, client):
    assert sign_in(client).status_code == 302
    leaving = client.post("/logout")
    assert leaving.headers["Location"] == f"{cas.base}/logout?" + urlencode({"service": f"{SITE}/login"})
    assert client.get("/profile").status_code == 302
    back = requests.get(leaving.headers["Location"], allow_redirects=False, timeout=10)
    assert back.headers["Location"] == f"{SITE}/login" and cas.signed_in is None


def logout_request(client, ticket: str):
    """The CAS server's back-channel POST to the service URL, as it sends it (no cookie, no CSRF token)."""
    return client.post("/sso/cas/callback", data={"logoutRequest": CasServer.logout_request(ticket)})


def test_the_cas_servers_logout_request_signs_out_the_account_of_that_ticket(app, cas, lz01, client):
    assert sign_in(client).status_code == 302 and client.get("/profile").status_code == 200
    browser, ticket = client, cas.issued[-1]
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: the server's POST carries no token of ours
    server = app.test_client()
    assert logout_request(server, "ST-never-issued").status_code == 200  # the same answer for a stranger's ticket
    assert browser.get("/profile").status_code == 200
    assert logout_request(server, ticket).status_code == 200
    assert browser.get("/profile").status_code == 302  # signed out, though the browser did nothing
    [entry] = audit("user.sso_logout")
    assert entry.details == {"provider": "cas", "how": "back_channel"}
    assert logout_request(server, ticket).status_code == 200 and len(audit("user.sso_logout")) == 1


@pytest.mark.parametrize("body", ["", "<not xml", '<!DOCTYPE x [<!ENTITY e "ST-1">]><x>&e;</x>',
                                  "<samlp:LogoutRequest xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol'/>"])
def test_a_logout_request_without_a_readable_ticket_is_400(app, cas, body):
    assert app.test_client().post("/sso/cas/callback", data={"logoutRequest": body}).status_code == 400
