"""CAS 2 and 3: the login address, and validating a service ticket at the CAS server.

The service URL is the configured one (``SSO_CAS_SERVICE_URL`` or PUBLIC_URL's callback), never the
request's address, so a ticket is only ever asked for and validated for this site. The answer is XML,
read with defusedxml (no entities, no external references). Single sign-out: the server's /logout address
(the browser goes there when it signs out here), and the ticket a back-channel ``logoutRequest`` names.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

import requests
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from booking.sso.settings import CasSettings

NS = "{http://www.yale.edu/tp/cas}"
SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
MAX_TICKET_LENGTH = 256
MAX_LOGOUT_REQUEST_LENGTH = 10_000


class CasUnavailable(Exception):
    """The CAS server could not be reached or gave an answer that is no validation response."""


@dataclass(frozen=True)
class CasAnswer:
    user: str
    attributes: dict[str, list[str]] = field(default_factory=dict)


def login_url(settings: CasSettings, locale: str = "") -> str:
    params = {"service": settings.service_url}
    if locale:
        params["locale"] = locale
    return f"{settings.url}/login?{urlencode(params)}"


def logout_url(settings: CasSettings) -> str:
    """The CAS server's logout, which ends the single sign-on session and sends the browser back here."""
    return f"{settings.url}/logout?{urlencode({'service': settings.after_logout_url})}"


def logout_ticket(body: str) -> str | None:
    """The service ticket a back-channel SAML ``LogoutRequest`` names (its ``SessionIndex``); None for
    anything else (unreadable, unsafe or oversized XML, another element, no ticket)."""
    if not body or len(body) > MAX_LOGOUT_REQUEST_LENGTH:
        return None
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException):
        return None
    ticket = (root.findtext(f"{SAMLP}SessionIndex") or "").strip() if root.tag == f"{SAMLP}LogoutRequest" else ""
    return ticket if ticket.startswith("ST-") and len(ticket) <= MAX_TICKET_LENGTH else None


def validate_url(settings: CasSettings) -> str:
    return f"{settings.url}/{'p3/' if settings.version == 3 else ''}serviceValidate"


def parse_validation(body: bytes) -> CasAnswer | None:
    """The user (and attributes) of a ``<cas:authenticationSuccess>``; None for a failure.

    Raises CasUnavailable for an answer that is not a CAS validation response (or is unsafe XML)."""
    try:
        root = ElementTree.fromstring(body, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise CasUnavailable(f"unreadable validation response: {error}") from error
    if root.tag != f"{NS}serviceResponse":
        raise CasUnavailable("not a CAS serviceResponse")
    success = root.find(f"{NS}authenticationSuccess")
    if success is None:
        return None
    user = (success.findtext(f"{NS}user") or "").strip()
    if not user:
        return None
    attributes: dict[str, list[str]] = {}
    found = success.find(f"{NS}attributes")
    for item in list(found) if found is not None else []:
        if item.tag.startswith(NS) and item.text is not None:
            attributes.setdefault(item.tag[len(NS):], []).append(item.text.strip())
    return CasAnswer(user=user, attributes=attributes)


def validate(settings: CasSettings, ticket: str) -> CasAnswer | None:
    """Ask the CAS server whether ``ticket`` was issued for our service; None when it was not."""
    if not ticket or len(ticket) > MAX_TICKET_LENGTH or not ticket.startswith("ST-"):
        return None
    try:
        answer = requests.get(validate_url(settings), params={"service": settings.service_url, "ticket": ticket},
                              timeout=settings.timeout, allow_redirects=False)
    except requests.RequestException as error:
        raise CasUnavailable(str(error)) from error
    if answer.status_code != 200:
        raise CasUnavailable(f"the CAS server answered {answer.status_code}")
    return parse_validation(answer.content)
