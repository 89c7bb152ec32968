"""Words a screen reader says are translated like the visible ones: no aria-label, title or alt
attribute in a template carries literal text instead of a translated string or a value."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LITERAL = re.compile(r'\b(aria-label|title|alt|placeholder)="([^"{]*[A-Za-z\u4e00-\u9fff][^"{]*)"')


def test_no_template_has_an_untranslated_label():
    found = [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for path in TEMPLATES.rglob("*.html")
             for m in LITERAL.finditer(path.read_text())]
    assert found == []


def test_every_kind_of_refusal_has_a_heading():
    """Found: a date past the priority window was headed ``not_open_yet`` (the code) on the booking form."""
    from booking.bookings.rules import Kind
    from booking.bookings.web.labels import KIND_TITLES

    assert [kind.value for kind in Kind if kind not in KIND_TITLES] == []
