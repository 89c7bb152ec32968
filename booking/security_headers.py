"""Headers every response carries so that a page, even one with a hole in it, cannot be turned on its user.

The Content-Security-Policy admits only the site's own vendored files: no inline script, no
script from elsewhere (schools sit on intranets; nothing is loaded from a CDN), no framing by
other sites. A view that shows a sent email (whose styles are inline, as email needs) lets
inline *styles* through with ``allow_inline_styles()``; scripts stay forbidden everywhere.
"""
from __future__ import annotations

from flask import Flask, g

_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def content_security_policy(inline_styles: bool = False) -> str:
    policy = dict(_POLICY, **({"style-src": "'self' 'unsafe-inline'"} if inline_styles else {}))
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def allow_inline_styles() -> None:
    """For this response only: inline style attributes (a sent email shown in a sandboxed frame)."""
    g.csp_inline_styles = True


def register(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        response.headers.setdefault("Content-Security-Policy",
                                    content_security_policy(g.get("csp_inline_styles", False)))
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
