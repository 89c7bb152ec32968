"""What every request must pass before a view reads it: a bounded URL, a bounded JSON depth, storable text.

Checked once for every page and API route, so no view has to remember: a NUL or a lone
surrogate would make PostgreSQL (or the UTF-8 encoder) fail deep inside a query, a JSON body
nested 100,000 levels deep would exhaust the parser's recursion, and a URL longer than a
proxy or gunicorn accepts is refused here with the app's own error shape.
"""
from __future__ import annotations

import re

from flask import Flask, Request, request
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from werkzeug.utils import cached_property

from booking.errors import abort_with
from booking.texts import lazy_gettext as _l
from booking.validation import (MAX_ID, MAX_URL_LENGTH, has_unstorable_character, printable_name,
                                unstorable_text_message)

MAX_JSON_DEPTH = 32
# A JSON string (skipped whole, escapes included) or a bracket that opens or closes a level.
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _stored_number(key: str, value):
    if isinstance(value, int) and abs(value) > MAX_ID:
        abort_with(400, _l("A number in the request is too large."), {key: _l("Enter a number up to %(n)d.", n=MAX_ID)})
    return value


class StoredNumberArgs(ImmutableMultiDict):
    """Query and form values whose ``get(name, type=int)`` refuses (400) a number no column can hold."""

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's name)
        return _stored_number(key, super().get(key, default, type))


class StoredNumberValues(CombinedMultiDict):
    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's name)
        return _stored_number(key, super().get(key, default, type))


class GuardedRequest(Request):
    parameter_storage_class = StoredNumberArgs

    @cached_property
    def values(self) -> CombinedMultiDict:
        """``request.values`` (query and form together) with the same bound as each of them."""
        return StoredNumberValues([self.args] if self.method == "GET" else [self.args, self.form])


def register(app: Flask) -> None:
    app.request_class = GuardedRequest
    app.before_request(check_request)


def check_request() -> None:
    """Refuse the request (414, 400 or 422 with the fields named) when its input cannot be handled."""
    if len(request.path) + len(request.query_string) > MAX_URL_LENGTH:
        abort_with(414, _l("The address is longer than %(n)d characters.", n=MAX_URL_LENGTH))
    fields = unstorable_fields(request.args) | unstorable_fields(request.form)
    if request.is_json and request.get_data(cache=True):
        if json_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
            abort_with(400, _l("The JSON body is nested too deeply."),
                       {"body": _l("At most %(n)d levels of arrays and objects.", n=MAX_JSON_DEPTH)})
        fields |= unstorable_json_fields(request.get_json(silent=True))
    if fields:
        abort_with(422, _l("Some fields are not valid."), fields)


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in ``data``, counted without parsing (strings are skipped)."""
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(data):
        bracket = token.group()
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in (b"]", b"}"):
            depth -= 1
    return deepest


def unstorable_fields(values) -> dict:
    """Query or form parameters whose name or value holds a character no database can store."""
    return {printable_name(name): unstorable_text_message() for name, texts in values.lists()
            if name is not None  # a multipart part without a name: nothing a view reads
            and (has_unstorable_character(name) or any(has_unstorable_character(text) for text in texts))}


def unstorable_json_fields(body) -> dict:
    """The dotted paths (``recurrence.rrule``, ``items.0``) of JSON strings and keys no database can store."""
    fields: dict = {}
    pending = [("", body)]
    while pending:  # a loop, not recursion: the depth is bounded, but the width is not
        path, value = pending.pop()
        if isinstance(value, str):
            if has_unstorable_character(value):
                fields[path or "body"] = unstorable_text_message()
        elif isinstance(value, dict):
            for key, item in value.items():
                key_path = f"{path}.{printable_name(key)}" if path else printable_name(key)
                if has_unstorable_character(key):
                    fields[key_path] = unstorable_text_message()
                pending.append((key_path, item))
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))
    return fields
