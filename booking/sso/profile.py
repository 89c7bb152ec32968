"""Who a provider says signed in, read from its claims or attributes (pure)."""
from __future__ import annotations

from dataclasses import dataclass

from booking.sso.settings import Mapping


@dataclass(frozen=True)
class ExternalProfile:
    provider: str  # oidc, cas, ldap
    subject: str  # the provider's stable id of the person
    email: str  # lower case; "" when the provider gave none (or an unverified one)
    display_name: str
    school_code: str  # the district's School.code the person's claim names; "" when none
    staff_number: str


def first_value(claims: dict, name: str) -> str:
    """The claim ``name`` as text: the first of a list (CAS and LDAP attributes), "" when absent."""
    if not name:
        return ""
    value = claims.get(name, claims.get(name.lower()))  # LDAP attribute names are case-insensitive
    if isinstance(value, (list, tuple)):
        value = next((item for item in value if item not in (None, "")), None)
    if value is None or isinstance(value, (dict, bool)):
        return ""
    return str(value).strip()


def profile_from_claims(provider: str, subject: str, claims: dict, mapping: Mapping,
                        school_codes: dict[str, str]) -> ExternalProfile:
    """An OIDC provider's ``email_verified: false`` leaves the email out: it may match nobody's account."""
    email = first_value(claims, mapping.email).lower()
    if claims.get("email_verified") is False or "@" not in email or len(email) > 255:
        email = ""
    school = first_value(claims, mapping.school)
    return ExternalProfile(
        provider=provider, subject=subject.strip()[:255], email=email,
        display_name=first_value(claims, mapping.name)[:100],
        school_code=school_codes.get(school, school)[:32],
        staff_number=first_value(claims, mapping.staff)[:64])
