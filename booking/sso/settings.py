"""The single sign-on providers the environment configures (pure: no request, no database).

Each provider is on when its address is set: ``SSO_OIDC_ISSUER``, ``SSO_CAS_URL``, ``SSO_LDAP_URL``
(README, Configuration). ``from_environment`` reads them once at start-up into frozen settings.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class SettingsError(ValueError):
    """The SSO variables cannot make a working provider (raised at start-up)."""


@dataclass(frozen=True)
class Mapping:
    """Which claim (OIDC) or attribute (CAS, LDAP) holds what; an empty name: not provided."""

    email: str
    name: str
    school: str
    staff: str


@dataclass(frozen=True)
class OidcSettings:
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str
    label: str
    mapping: Mapping
    timeout: float = 10.0
    after_logout_url: str = ""  # post_logout_redirect_uri of RP-initiated logout (registered at the provider)


@dataclass(frozen=True)
class CasSettings:
    url: str  # the CAS server's base, e.g. https://cas.example.cn/cas
    version: int  # 2: /serviceValidate; 3: /p3/serviceValidate (with attributes)
    service_url: str  # this site's callback, fixed here: never taken from the request
    label: str
    mapping: Mapping
    timeout: float = 10.0
    after_logout_url: str = ""  # where the CAS server's /logout sends the browser back to (its service)


@dataclass(frozen=True)
class LdapSettings:
    url: str
    start_tls: bool
    bind_dn: str  # a service account that searches the user's entry; empty: dn_template
    bind_password: str
    base_dn: str
    user_filter: str  # "{username}" is replaced by the escaped name typed
    dn_template: str  # "uid={username},ou=people,dc=example,dc=cn" when there is no service account
    disabled_filter: str  # an LDAP filter an entry matches when it is disabled, e.g. (employeeType=disabled)
    id_attribute: str  # the stable subject (entryUUID, objectGUID); the entry's DN when absent
    label: str
    mapping: Mapping
    timeout: float = 10.0


@dataclass(frozen=True)
class SsoSettings:
    oidc: OidcSettings | None = None
    cas: CasSettings | None = None
    ldap: LdapSettings | None = None
    # An external school code → School.code, for platforms whose codes differ from the district's.
    school_codes: dict[str, str] = field(default_factory=dict)

    def provider(self, name: str):
        return {"oidc": self.oidc, "cas": self.cas, "ldap": self.ldap}.get(name)

    @property
    def configured(self) -> list[str]:
        return [name for name in ("oidc", "cas", "ldap") if self.provider(name) is not None]


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


def _mapping(env: dict, prefix: str, email: str, name: str, school: str, staff: str) -> Mapping:
    return Mapping(email=env.get(f"{prefix}_EMAIL_CLAIM", email).strip(),
                   name=env.get(f"{prefix}_NAME_CLAIM", name).strip(),
                   school=env.get(f"{prefix}_SCHOOL_CLAIM", school).strip(),
                   staff=env.get(f"{prefix}_STAFF_CLAIM", staff).strip())


def _timeout(env: dict) -> float:
    try:
        seconds = float(env.get("SSO_TIMEOUT_SECONDS", "10"))
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 60:
        raise SettingsError("SSO_TIMEOUT_SECONDS must be seconds from 0 to 60.")
    return seconds


def _oidc(env: dict, site: str) -> OidcSettings | None:
    issuer = env.get("SSO_OIDC_ISSUER", "").strip().rstrip("/")
    if not issuer:
        return None
    if not env.get("SSO_OIDC_CLIENT_ID"):
        raise SettingsError("SSO_OIDC_ISSUER is set: SSO_OIDC_CLIENT_ID must be set too.")
    return OidcSettings(
        discovery_url=env.get("SSO_OIDC_DISCOVERY_URL", "").strip() or f"{issuer}/.well-known/openid-configuration",
        client_id=env["SSO_OIDC_CLIENT_ID"], client_secret=env.get("SSO_OIDC_CLIENT_SECRET", ""),
        scopes=env.get("SSO_OIDC_SCOPES", "openid email profile"), redirect_uri=f"{site}/sso/oidc/callback",
        label=env.get("SSO_OIDC_LABEL", ""), timeout=_timeout(env),
        after_logout_url=env.get("SSO_OIDC_POST_LOGOUT_URL", "").strip() or f"{site}/login",
        mapping=_mapping(env, "SSO_OIDC", "email", "name", "school_code", ""))


def _cas(env: dict, site: str) -> CasSettings | None:
    url = env.get("SSO_CAS_URL", "").strip().rstrip("/")
    if not url:
        return None
    version = env.get("SSO_CAS_VERSION", "3").strip()
    if version not in ("2", "3"):
        raise SettingsError("SSO_CAS_VERSION must be 2 or 3.")
    return CasSettings(url=url, version=int(version),
                       service_url=env.get("SSO_CAS_SERVICE_URL", "").strip() or f"{site}/sso/cas/callback",
                       label=env.get("SSO_CAS_LABEL", ""), timeout=_timeout(env),
                       after_logout_url=env.get("SSO_CAS_LOGOUT_RETURN_URL", "").strip() or f"{site}/login",
                       mapping=_mapping(env, "SSO_CAS", "mail", "displayName", "schoolCode", ""))


def _ldap(env: dict) -> LdapSettings | None:
    url = env.get("SSO_LDAP_URL", "").strip()
    if not url:
        return None
    bind_dn, template = env.get("SSO_LDAP_BIND_DN", "").strip(), env.get("SSO_LDAP_USER_DN_TEMPLATE", "").strip()
    base_dn = env.get("SSO_LDAP_BASE_DN", "").strip()
    if bind_dn and not base_dn:
        raise SettingsError("SSO_LDAP_BIND_DN is set: SSO_LDAP_BASE_DN must name where the users are.")
    if not bind_dn and "{username}" not in template:
        raise SettingsError("SSO_LDAP_URL is set: give SSO_LDAP_BIND_DN (a service account) or "
                            "SSO_LDAP_USER_DN_TEMPLATE with {username}.")
    user_filter = env.get("SSO_LDAP_USER_FILTER", "(uid={username})").strip()
    if "{username}" not in user_filter:
        raise SettingsError("SSO_LDAP_USER_FILTER must contain {username}.")
    return LdapSettings(
        url=url, start_tls=_flag(env.get("SSO_LDAP_START_TLS", "false")), bind_dn=bind_dn,
        bind_password=env.get("SSO_LDAP_BIND_PASSWORD", ""), base_dn=base_dn, user_filter=user_filter,
        dn_template=template, disabled_filter=env.get("SSO_LDAP_DISABLED_FILTER", "").strip(),
        id_attribute=env.get("SSO_LDAP_ID_ATTRIBUTE", "entryUUID").strip(), label=env.get("SSO_LDAP_LABEL", ""),
        timeout=_timeout(env),
        mapping=_mapping(env, "SSO_LDAP", "mail", "displayName", "departmentNumber", "employeeNumber"))


def school_code_map(value: str) -> dict[str, str]:
    """``"3301020001=XT01, 3301020002=LZ01"`` → ``{"3301020001": "XT01", "3301020002": "LZ01"}``."""
    pairs = {}
    for item in value.split(","):
        if not item.strip():
            continue
        external, sep, code = item.partition("=")
        if not sep or not external.strip() or not code.strip():
            raise SettingsError(f"SSO_SCHOOL_CODES: {item.strip()!r} is not EXTERNAL=CODE.")
        pairs[external.strip()] = code.strip()
    return pairs


def from_environment(env: dict, public_url: str) -> SsoSettings:
    site = public_url.rstrip("/")
    return SsoSettings(oidc=_oidc(env, site), cas=_cas(env, site), ldap=_ldap(env),
                       school_codes=school_code_map(env.get("SSO_SCHOOL_CODES", "")))
