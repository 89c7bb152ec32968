"""User-written text never becomes markup: refusal messages, import errors, every template; and the
headers that keep a page from running script it did not ship (issue 10, item 1)."""
from __future__ import annotations

import ast
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from markupsafe import escape

from booking.accounts.models import Role
from booking.bookings.services import create_booking
from booking.imports.jobs import wait_for_workers
from booking.resources.blackouts import BlackoutInput, create_blackout
from booking.texts import lazy_gettext as _l
from tests import factories
from tests.booking_support import freeze, local, single

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = '<script>document.title="pwned"</script><img src=x onerror=alert(1)>'
BASE = {"day": "2026-09-03", "period_number": "3", "title": "Optics", "class_name": "Class 3-2", "students": "30"}


def test_an_interpolated_lazy_message_is_escaped_when_put_into_html(app):
    with app.test_request_context():
        message = _l("Already booked from %(start)s to %(end)s by %(holder)s.", start="09:50", end="10:30",
                     holder=SCRIPT)
        assert "<script>" not in escape(message) and "&lt;script&gt;" in escape(message)
        assert SCRIPT in str(message)  # as text (JSON, email text, CSV) it is what the user typed


def _python_files():
    return [p for p in (ROOT / "booking").rglob("*.py")]


def test_no_module_uses_flask_babels_raw_lazy_strings():
    offenders = []
    for path in _python_files():
        if path.name == "texts.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                offenders += [f"{path}: {alias.name}" for alias in node.names if alias.name.startswith("lazy_")]
    assert offenders == []


def test_templates_mark_nothing_safe_and_carry_no_inline_script():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "|safe" not in text.replace(" ", ""), path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"inline script in {path}"
        assert not re.search(r"\son[a-z]+\s*=", text), f"inline event handler in {path}"
        assert "javascript:" not in text, path


def test_markup_is_built_only_where_every_value_is_escaped():
    """Markup(...) bypasses escaping; the charts are the one place allowed to build it (they escape each value)."""
    allowed = {"booking/reports/charts.py", "booking/reports/dashboard.py", "booking/texts.py"}
    users = {str(p.relative_to(ROOT)) for p in _python_files() if re.search(r"\bMarkup\(|__html__", p.read_text())}
    assert users <= allowed


@pytest.fixture
def scene(app):
    """A lab whose Thursday 第3节 a malicious teacher holds, with script in every text they control."""
    freeze()
    owner = factories.school(name="First Primary")
    attacker_school = factories.school(name=f"Evil {SCRIPT}")
    lab = factories.resource(owner_school=owner, name="Physics lab")
    attacker = factories.user(locale="en", school=attacker_school)
    create_booking(attacker, single(lab, month=9, day=17, class_name=SCRIPT, title=SCRIPT))
    owner_admin = factories.user(role=Role.SCHOOL_ADMIN, school=owner, locale="en")
    return lab, owner_admin


def assert_shown_as_text(html: str) -> None:
    assert "<script>document.title" not in html and "<img src=x" not in html
    assert "&lt;script&gt;document.title=" in html


def test_a_clash_list_on_the_booking_form_shows_script_as_text(scene, client, login_as):
    lab, coordinator = scene
    login_as(coordinator)
    response = client.post(f"/bookings/new/{lab.id}", data={**BASE, "day": "2026-09-17"})
    assert response.status_code == 409
    assert_shown_as_text(response.get_data(as_text=True))


def test_a_series_preview_shows_script_as_text(scene, client, login_as):
    lab, coordinator = scene
    login_as(coordinator)
    response = client.post(f"/bookings/new/{lab.id}", data={**BASE, "repeat": "1", "until": "2026-09-24"})
    assert response.status_code in (200, 409)
    assert_shown_as_text(response.get_data(as_text=True))


def test_a_blackout_reason_in_a_refusal_is_text(scene, client, login_as):
    lab, coordinator = scene
    start = datetime(2026, 9, 10, 8, 0)
    create_blackout(coordinator, lab, BlackoutInput(start=local(9, 10, 8), end=local(9, 10, 17), reason=SCRIPT))
    login_as(coordinator)
    response = client.post(f"/bookings/new/{lab.id}", data={**BASE, "day": start.date().isoformat()})
    assert response.status_code == 409
    assert_shown_as_text(response.get_data(as_text=True))


def test_a_closure_reason_in_a_refusal_is_text(scene, client, login_as):
    lab, coordinator = scene
    factories.closure(start_date=local(9, 24, 12).date(), end_date=local(9, 24, 12).date(), reason=SCRIPT)
    login_as(coordinator)
    response = client.post(f"/bookings/new/{lab.id}", data={**BASE, "day": "2026-09-24"})
    assert_shown_as_text(response.get_data(as_text=True))


def test_the_csv_import_error_table_shows_script_as_text(app, client, login_as):
    coordinator = factories.user(role=Role.COORDINATOR, locale="en")
    login_as(coordinator)
    csv = f"code,name,stage,enrollment,is_lead\nX1,School,primary,100,{SCRIPT}\n"
    queued = client.post("/admin/import/schools", data={"file": (io.BytesIO(csv.encode()), "schools.csv")},
                         content_type="multipart/form-data")
    assert queued.status_code == 303
    wait_for_workers()
    response = client.get(queued.headers["Location"])
    assert "Nothing was imported" in response.get_data(as_text=True)
    assert_shown_as_text(response.get_data(as_text=True))


def test_every_page_carries_the_security_headers(app, client):
    for response in (client.get("/login"), client.get("/api/v1/openapi.json"), client.get("/no-such-page")):
        policy = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'" and directives["default-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
        assert "unsafe-inline" not in policy and "http" not in policy  # nothing from a CDN
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_only_a_shown_email_admits_inline_styles_and_never_script():
    from booking.security_headers import content_security_policy

    relaxed = content_security_policy(inline_styles=True)
    assert "style-src 'self' 'unsafe-inline'" in relaxed and "script-src 'self';" in relaxed
    assert "unsafe-inline" not in content_security_policy()
