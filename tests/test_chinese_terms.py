"""One word for one thing in the Chinese catalogue: a reader who met 排队 on one page, 候补 on the next and
你 beside 您 took them for different things (a review of the Chinese pages found all of these)."""
from __future__ import annotations

import pathlib
import re

import pytest
from babel.messages.pofile import read_po

import booking

CATALOGUE = pathlib.Path(booking.__file__).parent / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"


def _translations() -> list[tuple[str, str]]:
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    pairs = []
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(ids[0], string) for string in strings]
    return pairs


TRANSLATIONS = _translations()

# (a word not to use, the one used instead, why)
UNUSED_WORDS = [
    ("你", "您", "the person reading is addressed the one, polite way"),
    ("候补", "排队", "the waitlist"),
    ("周期预约", "重复预约", "a booking that repeats"),
    ("周期性", "重复", "a booking that repeats"),
]


@pytest.mark.parametrize(("word", "instead", "meaning"), UNUSED_WORDS)
def test_one_word_for_one_thing(word, instead, meaning):
    found = [msgid for msgid, string in TRANSLATIONS if word in string]
    assert found == [], f"{meaning} is {instead}, not {word}: {found}"


def test_a_rejected_request_is_驳回_not_拒绝():
    """拒绝 stays for what the rules refuse (a clashing booking, a revoked token); an approver's no is 驳回."""
    found = [(msgid, string) for msgid, string in TRANSLATIONS
             if "reject" in msgid.lower() and "拒绝" in string]
    assert found == []


def test_the_catalogue_is_read():
    assert len(TRANSLATIONS) > 1000 and any(string == "排队等候" for _, string in TRANSLATIONS)


def test_hours_are_小时_not_课时():
    """The reports count clock hours (a booking's seconds / 3600); 课时 is a lesson period (40–45 minutes),
    so a coordinator reading 课时 beside a figure in hours would misread it by a third."""
    found = [(msgid, string) for msgid, string in TRANSLATIONS
             if "hour" in msgid.lower() and re.search("(?<![上下])课时", string)]
    assert found == []
