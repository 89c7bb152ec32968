"""Accessibility checks with axe-core on the page a browser test is looking at.

The script is evaluated through the DevTools protocol, not added as a <script>, so the app's
Content-Security-Policy (no inline script) stays as strict in these tests as in production.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


@lru_cache(maxsize=1)
def _source() -> str:
    return AXE.read_text()


def violations(page, impacts=BLOCKING) -> list[dict]:
    page.evaluate(_source())
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [v for v in found if v.get("impact") in impacts]


def describe(found: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['impact']}): {v['help']} — "
                     + ", ".join(n["target"][0] if n.get("target") else "?" for n in v["nodes"][:3])
                     for v in found)


def assert_accessible(page) -> None:
    found = violations(page)
    assert not found, f"{page.url}: {describe(found)}"
