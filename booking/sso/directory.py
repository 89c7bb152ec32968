"""LDAP / Active Directory: find the user's entry, bind as the user, refuse disabled entries (ldap3).

The entry is found by a service account's search (``SSO_LDAP_BIND_DN``) or named by a DN template;
then the person's own bind checks the password. A failing bind, an empty password (an LDAP
"unauthenticated bind" would succeed) and a disabled entry (AD's userAccountControl ACCOUNTDISABLE
flag, or ``SSO_LDAP_DISABLED_FILTER``) all fail.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ldap3 import BASE, NONE, SUBTREE, Connection, Server
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from booking.sso.settings import LdapSettings

AD_ACCOUNT_DISABLED = 0x2
AD_CONTROL = "userAccountControl"


class DirectoryUnavailable(Exception):
    """The directory could not be reached or answered with an error."""


class AccountDisabled(Exception):
    """The password was right but the directory account is disabled."""


@dataclass(frozen=True)
class DirectoryEntry:
    dn: str
    subject: str
    attributes: dict[str, list[str]]


def _text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.hex()  # a binary id (AD's objectGUID)


def _attributes(settings: LdapSettings) -> list[str]:
    mapping = settings.mapping
    wanted = {mapping.email, mapping.name, mapping.school, mapping.staff, settings.id_attribute, AD_CONTROL}
    return sorted(name for name in wanted if name)


def _connection(settings: LdapSettings, server: Server, dn: str, password: str) -> Connection:
    conn = Connection(server, user=dn, password=password, receive_timeout=math.ceil(settings.timeout),
                      raise_exceptions=False)
    conn.open()
    if settings.start_tls:
        conn.start_tls()
    return conn


def _read(conn: Connection, dn: str, settings: LdapSettings, search_filter: str = "(objectClass=*)"):
    """The entry at ``dn`` if it matches ``search_filter`` (raw values by name, lower case), else None."""
    if not conn.search(dn, search_filter, search_scope=BASE, attributes=_attributes(settings)):
        return None
    entry = next((item for item in conn.response if item.get("type") == "searchResEntry"), None)
    if entry is None:
        return None
    return {name.lower(): [_text(v) for v in values] for name, values in entry["raw_attributes"].items()}


def _find_dn(settings: LdapSettings, server: Server, username: str) -> str | None:
    if not settings.bind_dn:
        return settings.dn_template.replace("{username}", escape_rdn(username))
    service = _connection(settings, server, settings.bind_dn, settings.bind_password)
    try:
        if not service.bind():
            raise DirectoryUnavailable(f"the service account cannot bind: {service.result.get('description')}")
        user_filter = settings.user_filter.replace("{username}", escape_filter_chars(username))
        service.search(settings.base_dn, user_filter, search_scope=SUBTREE, attributes=[], size_limit=2)
        found = [item["dn"] for item in service.response if item.get("type") == "searchResEntry"]
        return found[0] if len(found) == 1 else None
    finally:
        service.unbind()


def _is_disabled(conn: Connection, dn: str, attributes: dict, settings: LdapSettings) -> bool:
    control = (attributes.get(AD_CONTROL.lower()) or ["0"])[0]
    if control.lstrip("-").isdigit() and int(control) & AD_ACCOUNT_DISABLED:
        return True
    return bool(settings.disabled_filter) and _read(conn, dn, settings, settings.disabled_filter) is not None


def authenticate(settings: LdapSettings, username: str, password: str) -> DirectoryEntry | None:
    """The person's entry if ``password`` binds as ``username``; None if not.

    Raises AccountDisabled (right password, disabled entry) or DirectoryUnavailable."""
    username = (username or "").strip()
    if not username or not password or len(username) > 200:
        return None
    server = Server(settings.url, get_info=NONE, connect_timeout=math.ceil(settings.timeout))
    try:
        dn = _find_dn(settings, server, username)
        if dn is None:
            return None
        conn = _connection(settings, server, dn, password)
        try:
            if not conn.bind():
                return None
            attributes = _read(conn, dn, settings)
            if attributes is None:
                raise DirectoryUnavailable("the user's own entry cannot be read")
            if _is_disabled(conn, dn, attributes, settings):
                raise AccountDisabled(dn)
        finally:
            conn.unbind()
    except LDAPException as error:
        raise DirectoryUnavailable(str(error)) from error
    subject = (attributes.get(settings.id_attribute.lower()) or [dn.lower()])[0]
    return DirectoryEntry(dn=dn, subject=subject, attributes=attributes)
