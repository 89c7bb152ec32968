"""Posting to group robots: the address checks (no SSRF) and the HTTP hand-over the outbox sender uses.

A robot's address is typed by a school admin or a teacher, and the server POSTs to it, so it must not
reach into the server's own network: https only (http only to a host listed in
NOTIFY_WEBHOOK_ALLOWED_HOSTS), and every address the host resolves to public, unless the host is listed.
The check is made when the robot is saved and again at every attempt, connecting to the very address that
was checked (a name that resolves elsewhere later cannot be used to rebind).
"""
from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from booking.calendars.fetch import is_public
from booking.digests.senders import SendFailed
from booking.notifications import formats
from booking.texts import lazy_gettext as _l

TIMEOUT_SECONDS = 10
ANSWER_LIMIT = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeWebhook(ValueError):
    """The address may not be posted to; the message says why (for the form)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query


def parse_target(url: str, allowed_hosts) -> Target:
    """The address's parts, refused unless https (or http to an allowed host). Pure: no DNS."""
    url = (url or "").strip()
    if any(character.isspace() or ord(character) < 32 for character in url):
        raise UnsafeWebhook(str(_l("Enter the robot's webhook address, starting with https://.")))
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        host = None
    scheme = parts.scheme.lower() if host else ""
    if not host or scheme not in DEFAULT_PORTS or parts.username or parts.password:
        raise UnsafeWebhook(str(_l("Enter the robot's webhook address, starting with https://.")))
    host = host.lower()
    if scheme == "http" and host not in allowed_hosts:
        raise UnsafeWebhook(str(_l("The webhook address must start with https://.")))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port or DEFAULT_PORTS[scheme], path)


def resolve(target: Target, allowed_hosts) -> str:
    """The IP address to connect to; refused when private and the host is not allowed."""
    try:
        found = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeWebhook(str(_l("The server %(host)s could not be found.", host=target.host))) from None
    ips = [info[4][0] for info in found]
    if target.host not in allowed_hosts and not all(is_public(ip) for ip in ips):
        raise UnsafeWebhook(str(_l("Robots can only post to public servers: this address points to a private or "
                                   "local network.")))
    return ips[0]


def check_url(url: str, allowed_hosts) -> None:
    """Raise UnsafeWebhook when ``url`` may not be posted to (on saving a robot)."""
    resolve(parse_target(url, allowed_hosts), allowed_hosts)


@dataclass(frozen=True)
class WebhookPoster:
    """POSTs a robot message; raises SendFailed for anything to try again later."""

    allowed_hosts: frozenset[str]
    description: str = "group-robot webhooks"

    def post(self, kind: str, url: str, secret: str, body: dict) -> None:
        address, data = formats.signed_request(kind, url, secret, body, time.time())
        try:
            target = parse_target(address, self.allowed_hosts)
            ip = resolve(target, self.allowed_hosts)
        except UnsafeWebhook as refused:
            raise SendFailed(str(refused)) from None
        connection = _connection(target, ip)
        try:
            connection.request("POST", target.path, body=data,
                               headers={"Content-Type": "application/json; charset=utf-8",
                                        "User-Agent": "district-share-notifications"})
            response = connection.getresponse()
            answer = response.read(ANSWER_LIMIT)
        except (OSError, http.client.HTTPException) as error:
            raise SendFailed(f"{type(error).__name__}: {error}") from error
        finally:
            connection.close()
        ok, reason = formats.accepted(kind, response.status, answer)
        if not ok:
            raise SendFailed(reason)


def _connection(target: Target, ip: str) -> http.client.HTTPConnection:
    kind = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    connection = kind(target.host, target.port, timeout=TIMEOUT_SECONDS)  # TLS checks the host's certificate

    def pinned(host_and_port, timeout, source_address=None):
        return socket.create_connection((ip, host_and_port[1]), timeout, source_address)

    connection._create_connection = pinned
    return connection


def poster_from_config(config) -> WebhookPoster:
    return WebhookPoster(frozenset(config.get("NOTIFY_WEBHOOK_ALLOWED_HOSTS") or ()))
