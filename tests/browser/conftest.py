"""Browser tests: Playwright driving Debian's Chromium against the app served on localhost.

They skip with a reason where /usr/bin/chromium (or Playwright) is missing, unless
REQUIRE_BROWSER=1, which CI sets: then a missing browser is a failure.

Each walk runs on one database (the ``one_backend`` marker, see tests/conftest.py): PostgreSQL, the production
one, when the run has it, else SQLite. A walk checks the pages; what the database does beneath them (no
overlap, races, every query) the HTTP and service tests check on both, and a second walk of the same pages
cost a seventh of the suite's time.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

HERE = Path(__file__).parent
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _unavailable_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"no browser at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config, items):
    """Every browser walk runs on one backend (see the module's doc)."""
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.one_backend)


@pytest.fixture(scope="session")
def browser():
    reason = _unavailable_reason()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """Serve ``app`` on a free localhost port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def csp_refusals(page) -> list[str]:
    """What the Content-Security-Policy refuses on ``page`` from now on (an inline style, a script): a page that
    looks or works otherwise than its author meant, so every walk fails on it."""
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text else None)
    return refused


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused = csp_refusals(page)
    yield page
    context.close()
    assert not refused, refused


def sign_in(page, base_url: str, email: str, password: str = "secret-pass") -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url)  # the landing page (networkidle waited 0.5 s more each time)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """The data a test's fixtures made through the services is only flushed (the unit of work commits at
    a boundary): commit it before the browser asks the server, whose requests run in other sessions."""
    if "app" in item.fixturenames:
        from booking.extensions import db

        db.session.commit()


def header_link(page, name: str, exact: bool = False):
    """A link of the main navigation, unfolding the phone's Menu first when it is folded."""
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    return page.locator("header").get_by_role("link", name=name, exact=exact)
