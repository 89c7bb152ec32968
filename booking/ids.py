"""Record ids in URLs: the ``<id:...>`` converter every route uses for them.

An id is a PostgreSQL ``integer`` from 1 up, so a path segment names a record only when it is
written as one: ASCII digits without a leading zero, at most MAX_ID. Anything else does not
match the rule (404) before a view runs, and no view has to check the range again.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter

from booking.validation import MAX_ID


def decimal_pattern_up_to(limit: int) -> str:
    """A regex of the decimal numbers 1 … ``limit`` (at least 10), written without a leading zero.

    Shorter numbers are all in range; one as long as ``limit`` is, when it agrees with ``limit``'s
    first digits and then has a smaller one (anything may follow), or is ``limit`` itself.
    """
    text = str(limit)
    same_length = []
    for position, digit in enumerate(text):
        lowest = 1 if position == 0 else 0
        if int(digit) > lowest:
            rest = len(text) - position - 1
            same_length.append(f"{text[:position]}[{lowest}-{int(digit) - 1}][0-9]{{{rest}}}")
    return "(?:" + "|".join([f"[1-9][0-9]{{0,{len(text) - 2}}}", *same_length, text]) + ")"


class IdConverter(BaseConverter):
    """``1`` … ``2147483647`` as an int; ``0``, ``007``, ``-1``, ``١`` (a non-ASCII digit) or a larger
    number match nothing. One spelling per id keeps one URL per record.

    The range is in the regex, not in ``to_python``: Werkzeug answers a converter's ValidationError
    with 405 when a rule for another method matched the same path, and an id out of range names
    nothing whatever the method.
    """

    regex = decimal_pattern_up_to(MAX_ID)
    weight = 50  # as Werkzeug's int converter: a fixed path part outranks it
    part_isolating = True

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def register(app: Flask) -> None:
    """Before any blueprint: rules are parsed (and their converters looked up) as they are added."""
    app.url_map.converters["id"] = IdConverter
