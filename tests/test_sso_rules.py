"""The pure parts of single sign-on: the SSO_* settings, reading claims, reading a CAS answer safely."""
from __future__ import annotations

import pytest

from booking.sso import cas, settings
from booking.sso.profile import profile_from_claims

SITE = "https://share.example.cn"


def test_nothing_is_configured_by_default():
    configured = settings.from_environment({}, SITE)
    assert configured.configured == [] and configured.school_codes == {}


def test_each_provider_is_on_with_its_address_and_builds_its_urls_from_public_url():
    configured = settings.from_environment({
        "SSO_OIDC_ISSUER": "https://id.edu.example.cn/", "SSO_OIDC_CLIENT_ID": "share",
        "SSO_CAS_URL": "https://cas.example.cn/cas", "SSO_LDAP_URL": "ldaps://dc.example.cn",
        "SSO_LDAP_BIND_DN": "cn=svc", "SSO_LDAP_BASE_DN": "dc=example,dc=cn",
        "SSO_SCHOOL_CODES": "3301020001=XT01, 3301020002=LZ01"}, SITE + "/")
    assert configured.configured == ["oidc", "cas", "ldap"]
    assert configured.oidc.discovery_url == "https://id.edu.example.cn/.well-known/openid-configuration"
    assert configured.oidc.redirect_uri == f"{SITE}/sso/oidc/callback"
    assert configured.cas.service_url == f"{SITE}/sso/cas/callback" and configured.cas.version == 3
    assert cas.validate_url(configured.cas) == "https://cas.example.cn/cas/p3/serviceValidate"
    assert cas.login_url(configured.cas) == ("https://cas.example.cn/cas/login?service="
                                             "https%3A%2F%2Fshare.example.cn%2Fsso%2Fcas%2Fcallback")
    assert configured.school_codes == {"3301020001": "XT01", "3301020002": "LZ01"}
    assert configured.ldap.mapping.school == "departmentNumber"


def test_signing_out_comes_back_to_the_sign_in_page_unless_configured_otherwise():
    env = {"SSO_OIDC_ISSUER": "https://id.edu.example.cn", "SSO_OIDC_CLIENT_ID": "share",
           "SSO_CAS_URL": "https://cas.example.cn/cas"}
    configured = settings.from_environment(env, SITE)
    assert configured.oidc.after_logout_url == f"{SITE}/login"
    assert cas.logout_url(configured.cas) == "https://cas.example.cn/cas/logout?service=" \
                                             "https%3A%2F%2Fshare.example.cn%2Flogin"
    elsewhere = settings.from_environment({**env, "SSO_OIDC_POST_LOGOUT_URL": "https://www.example.cn/bye",
                                           "SSO_CAS_LOGOUT_RETURN_URL": "https://www.example.cn/"}, SITE)
    assert (elsewhere.oidc.after_logout_url, elsewhere.cas.after_logout_url) == \
        ("https://www.example.cn/bye", "https://www.example.cn/")


def test_a_logout_request_gives_its_ticket_only_when_it_is_one():
    request = ('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="1" Version="2.0">'
               '<samlp:SessionIndex> ST-abc </samlp:SessionIndex></samlp:LogoutRequest>')
    assert cas.logout_ticket(request) == "ST-abc"
    assert cas.logout_ticket(request.replace("ST-abc", "TGT-abc")) is None
    assert cas.logout_ticket(request.replace("LogoutRequest", "AuthnRequest")) is None
    assert cas.logout_ticket(request + " " * 10_000) is None


@pytest.mark.parametrize("env", [
    {"SSO_OIDC_ISSUER": "https://id.example.cn"},
    {"SSO_CAS_URL": "https://cas.example.cn", "SSO_CAS_VERSION": "1"},
    {"SSO_LDAP_URL": "ldap://dc"},
    {"SSO_LDAP_URL": "ldap://dc", "SSO_LDAP_BIND_DN": "cn=svc"},
    {"SSO_LDAP_URL": "ldap://dc", "SSO_LDAP_USER_DN_TEMPLATE": "uid={username},dc=x", "SSO_LDAP_USER_FILTER": "(uid=*)"},
    {"SSO_SCHOOL_CODES": "XT01"},
    {"SSO_CAS_URL": "https://cas.example.cn", "SSO_TIMEOUT_SECONDS": "0"},
])
def test_settings_that_cannot_work_are_refused_at_start_up(env):
    with pytest.raises(settings.SettingsError):
        settings.from_environment(env, SITE)


MAPPING = settings.Mapping(email="mail", name="displayName", school="schoolCode", staff="employeeNumber")


def test_claims_take_the_first_value_and_map_the_school_code():
    profile = profile_from_claims("cas", " u1 ", {"mail": ["", "Li@X.CN"], "displayName": ["李华"],
                                                  "schoolcode": ["3301"], "employeeNumber": 7}, MAPPING,
                                  {"3301": "LZ01"})
    assert (profile.subject, profile.email, profile.display_name, profile.school_code, profile.staff_number) == \
        ("u1", "li@x.cn", "李华", "LZ01", "7")


@pytest.mark.parametrize("claims", [{"mail": "li@x.cn", "email_verified": False}, {"mail": "not-an-address"}, {}])
def test_an_unverified_or_missing_email_is_left_out(claims):
    assert profile_from_claims("oidc", "s", claims, MAPPING, {}).email == ""


def test_a_cas_3_success_gives_the_user_and_attributes():
    answer = cas.parse_validation(
        b'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
        b'<cas:user>lihua</cas:user><cas:attributes><cas:mail>li@x.cn</cas:mail><cas:memberOf>a</cas:memberOf>'
        b'<cas:memberOf>b</cas:memberOf></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>')
    assert answer == cas.CasAnswer("lihua", {"mail": ["li@x.cn"], "memberOf": ["a", "b"]})


def test_a_cas_failure_is_none():
    assert cas.parse_validation(
        b'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationFailure code="INVALID_TICKET">'
        b'no</cas:authenticationFailure></cas:serviceResponse>') is None


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    b'<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
    b'<cas:user>&b;</cas:user></cas:authenticationSuccess></cas:serviceResponse>',
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>',
    b"<html>not CAS</html>",
    b"garbage <",
])
def test_unsafe_or_foreign_xml_is_not_read(body):
    with pytest.raises(cas.CasUnavailable):
        cas.parse_validation(body)


def test_a_ticket_that_is_no_service_ticket_is_not_sent_to_the_server():
    configured = settings.from_environment({"SSO_CAS_URL": "http://127.0.0.1:1/cas"}, SITE)
    assert cas.validate(configured.cas, "PGT-1") is None and cas.validate(configured.cas, "ST-" + "x" * 300) is None
