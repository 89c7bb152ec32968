"""Single sign-on: OpenID Connect, CAS 2/3 and LDAP / Active Directory, each on when configured.

- ``settings`` (pure): the SSO_* environment variables as frozen settings per provider.
- ``profile`` (pure): who a provider says signed in (subject, email, name, school, staff number), from its claims.
- ``models``: the link of an account to a provider's subject (``sso_identities``); CAS sign-ins' tickets.
- ``services``: the account a profile signs in (linked, matched by email or staff number, or a new teacher
  placed in their school), refusing deactivated ones; audited. Flushes.
- ``oidc``: the Authlib client (discovery, state, nonce, PKCE, ID token checks); ``cas``: the CAS login
  address and ticket validation (XML read with defusedxml); ``directory``: the LDAP search and bind (ldap3).
- ``views`` and ``forms``: the start and callback routes, the directory sign-in page, the login page's buttons.
- ``logout``: single sign-out: signing out here goes on to the provider's logout (OIDC RP-initiated, CAS
  /logout), and the CAS server's back-channel logoutRequest signs the ticket's account out.
"""
