"""URL helpers that keep redirects on this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` if it is a path on this site, else None (no open redirects).

    Only plain absolute paths pass: no scheme, no host, no protocol-relative ``//host``,
    no backslash tricks that browsers read as ``//``.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
