"""Every visible string has its Chinese translation (the UI's default language is zh_CN)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "booking/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def _msgid(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def _extracted(tmp_path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as fh:
        return {_msgid(m) for m in read_po(fh) if m.id}


def test_every_string_in_the_code_has_a_chinese_translation(tmp_path):
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    translated = {
        _msgid(m) for m in catalog
        if m.id and (m.string[0] if isinstance(m.string, tuple) else m.string) and "fuzzy" not in m.flags
    }
    missing = sorted(_extracted(tmp_path) - translated)
    assert not missing, f"{len(missing)} strings lack a zh_CN translation (run `make messages`): {missing[:30]}"


def test_placeholders_survive_translation():
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]")
    broken = []
    for m in catalog:
        if not m.id or not m.string:
            continue
        source = _msgid(m)
        target = m.string[0] if isinstance(m.string, tuple) else m.string
        if set(placeholder.findall(source)) != set(placeholder.findall(target)):
            broken.append(source)
    assert not broken, broken[:20]
