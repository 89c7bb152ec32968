"""axe-core in the browser tests: every page a test visits is checked for serious and critical violations.

axe.min.js comes from the axe-playwright-python package (requirements-dev.txt) and is evaluated through
Playwright, which the page's Content-Security-Policy does not apply to (nothing is added to the app).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

BLOCKING = ("serious", "critical")


@lru_cache(maxsize=1)
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def axe_violations(page) -> list[tuple[str, str, list]]:
    """(rule, impact, first targets) of each serious or critical violation on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
            for v in result["violations"] if v["impact"] in BLOCKING]


def assert_axe_clean(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"
