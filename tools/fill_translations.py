"""Fill zh_CN msgstr entries from a JSON file {msgid: msgstr}; used when adding many strings at once.

    .venv/bin/python tools/fill_translations.py new-strings.json

Existing translations are kept unless the JSON names them. Plural entries take the
msgid (singular) as key and one string (Chinese has one plural form).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "booking/translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def main(mapping_file: str) -> None:
    mapping = json.loads(Path(mapping_file).read_text(encoding="utf-8"))
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    # `make messages` omits the header; babel's stand-in header is fuzzy, and compile skips fuzzy catalogues.
    catalog.fuzzy = False
    for message in catalog:
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if key and key in mapping:
            message.string = (mapping[key],) if isinstance(message.id, tuple) else mapping[key]
            message.flags.discard("fuzzy")
    with CATALOG.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=True, no_location=True)
    missing = [m.id for m in catalog if m.id and not (m.string[0] if isinstance(m.string, tuple) else m.string)]
    print(f"{len(missing)} untranslated" + (": " + "; ".join(map(str, missing[:20])) if missing else ""))


if __name__ == "__main__":
    main(sys.argv[1])
