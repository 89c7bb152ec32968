"""Downloading a calendar to import from a web address, with a deadline and a size cap.

The server fetches what a coordinator typed, so the address must not reach into the server's own
network: only http(s) on public addresses, checked on every redirect hop by hand and connected to
the very address that was checked (no second DNS lookup to rebind). Hosts in the allow-list
(ICS_FETCH_ALLOWED_HOSTS) may be private, e.g. the education bureau's intranet calendar server.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from booking.calendars.ics_import import MAX_BYTES, ImportProblems
from booking.texts import lazy_gettext as _l

CHUNK = 64 * 1024
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Address:
    scheme: str  # http or https
    host: str  # as written, lower case, without brackets
    port: int
    target: str  # path and query, what the request line asks for
    url: str  # the whole address with its http(s) scheme, against which a redirect is resolved


def _address(url: str) -> Address:
    """The address to fetch; webcal:// is how calendars are often published and means https."""
    try:
        parts = urlsplit(url.strip())
        scheme = "https" if parts.scheme.lower() == "webcal" else parts.scheme.lower()
        host, port = parts.hostname, parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 literal
        host = None
    if host is None or scheme not in DEFAULT_PORTS:
        raise ImportProblems([_l("Enter a web address starting with https://, http:// or webcal://.")])
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Address(scheme, host.lower(), port or DEFAULT_PORTS[scheme], target,
                   urlunsplit((scheme, parts.netloc, parts.path, parts.query, "")))


def is_public(ip: str) -> bool:
    """Whether ``ip`` is an address on the public internet (not this machine's or a private network)."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is link-local anyway
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_loopback or address.is_private or address.is_link_local
                                       or address.is_reserved or address.is_multicast or address.is_unspecified)


def _refused() -> ImportProblems:
    return ImportProblems([_l("Calendars can only be imported from public web servers: this address points to "
                              "a private or local network. Download the file and upload it instead.")])


def _connect_ip(address: Address, allowed_hosts: frozenset[str]) -> str:
    """The IP address to connect to; refused when the host is private and not allowed."""
    try:
        found = socket.getaddrinfo(address.host, address.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ImportProblems([_l("The server %(host)s could not be found.", host=address.host)]) from None
    ips = [info[4][0] for info in found]
    if address.host not in allowed_hosts and not all(is_public(ip) for ip in ips):
        raise _refused()
    return ips[0]


def _too_slow(seconds: float) -> ImportProblems:
    return ImportProblems([_l("The server did not send the calendar within %(n)s seconds.", n=f"{seconds:g}")])


def _too_big() -> ImportProblems:
    return ImportProblems([_l("The file is larger than %(n)d KB.", n=MAX_BYTES // 1024)])


def _read_capped(response, deadline: float, seconds: float) -> bytes:
    announced = response.getheader("Content-Length") or ""
    if announced.isdigit() and int(announced) > MAX_BYTES:
        raise _too_big()
    data = b""
    while True:
        if time.monotonic() > deadline:
            raise _too_slow(seconds)
        chunk = response.read1(CHUNK)
        if not chunk:
            return data
        data += chunk
        if len(data) > MAX_BYTES:
            raise _too_big()


def _connection(address: Address, ip: str, timeout: float) -> http.client.HTTPConnection:
    kind = http.client.HTTPSConnection if address.scheme == "https" else http.client.HTTPConnection
    connection = kind(address.host, address.port, timeout=timeout)  # TLS checks the certificate of the host

    def pinned(host_and_port, timeout, source_address=None):
        return socket.create_connection((ip, host_and_port[1]), timeout, source_address)

    connection._create_connection = pinned  # to the address that was checked
    return connection


def _get(address: Address, allowed_hosts: frozenset[str], deadline: float, seconds: float) -> tuple[int, str, bytes]:
    """One request: (status, Location header, body of a 200)."""
    ip = _connect_ip(address, allowed_hosts)
    connection = _connection(address, ip, max(deadline - time.monotonic(), 0.01))
    try:
        connection.request("GET", address.target, headers={"User-Agent": "DistrictShare-calendar-import/1"})
        response = connection.getresponse()
        body = _read_capped(response, deadline, seconds) if response.status == 200 else b""
        return response.status, response.getheader("Location") or "", body
    finally:
        connection.close()


def fetch_calendar(url: str, seconds: float, allowed_hosts=()) -> bytes:
    """The body at ``url``; ImportProblems when it is refused, cannot be had within ``seconds`` or is too big."""
    allowed = frozenset(host.lower() for host in allowed_hosts)
    deadline = time.monotonic() + seconds
    for _hop in range(MAX_REDIRECTS + 1):
        address = _address(url)
        try:
            status, location, body = _get(address, allowed, deadline, seconds)
        except ImportProblems:
            raise
        except TimeoutError:
            raise _too_slow(seconds) from None
        except (OSError, http.client.HTTPException, ValueError):
            raise ImportProblems([_l("The calendar could not be downloaded from that address.")]) from None
        if status == 200:
            return body
        if status not in REDIRECTS or not location:
            raise ImportProblems([_l("The server answered with error %(status)d.", status=status)])
        url = urljoin(address.url, location)
    raise ImportProblems([_l("The address redirects too many times.")])
