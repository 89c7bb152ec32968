"""The equity report as a PDF: the printable page's HTML laid out by WeasyPrint, Chinese in Noto Sans CJK.

No network, ever: the HTML carries its style inline and its charts as inline SVG, and the URL fetcher
refuses every URL (a stray link to a stylesheet or image is left out, not fetched). The fonts are the
machine's (Debian's fonts-noto-cjk, found through fontconfig).
"""
from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetchingError


class NoNetwork(URLFetcher):
    """Fetches nothing: every resource the report needs is inside the HTML."""

    def fetch(self, url, headers=None):
        raise URLFetchingError(f"not fetched (the PDF is made without a network): {url[:80]}")


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=None, url_fetcher=NoNetwork()).write_pdf()
