"""Downloading a calendar to import from a web address, with a deadline and a size cap."""
from __future__ import annotations

import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit, urlunsplit

from booking.calendars.ics_import import MAX_BYTES, ImportProblems
from booking.texts import lazy_gettext as _l

CHUNK = 64 * 1024


def _http_url(address: str) -> str:
    """The address to fetch; webcal:// is how calendars are often published and means https."""
    parts = urlsplit(address.strip())
    scheme = "https" if parts.scheme.lower() == "webcal" else parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.netloc:
        raise ImportProblems([_l("Enter a web address starting with https://, http:// or webcal://.")])
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))


def _too_slow(seconds: float) -> ImportProblems:
    return ImportProblems([_l("The server did not send the calendar within %(n)s seconds.", n=f"{seconds:g}")])


def _read_capped(response, deadline: float, seconds: float) -> bytes:
    data = b""
    while True:
        if time.monotonic() > deadline:
            raise _too_slow(seconds)
        chunk = response.read(CHUNK)
        if not chunk:
            return data
        data += chunk
        if len(data) > MAX_BYTES:
            raise ImportProblems([_l("The file is larger than %(n)d KB.", n=MAX_BYTES // 1024)])


def fetch_calendar(address: str, seconds: float) -> bytes:
    """The body at ``address``; ImportProblems when it cannot be had within ``seconds`` or is too big."""
    request = urllib.request.Request(_http_url(address), headers={"User-Agent": "DistrictShare-calendar-import/1"})
    deadline = time.monotonic() + seconds
    try:
        with urllib.request.urlopen(request, timeout=seconds) as response:
            return _read_capped(response, deadline, seconds)
    except ImportProblems:
        raise
    except TimeoutError:
        raise _too_slow(seconds) from None
    except urllib.error.HTTPError as error:
        raise ImportProblems([_l("The server answered with error %(status)d.", status=error.code)]) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        if isinstance(getattr(error, "reason", None), TimeoutError):
            raise _too_slow(seconds) from None
        raise ImportProblems([_l("The calendar could not be downloaded from that address.")]) from None
