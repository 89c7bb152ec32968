"""Uploaded files through the API: declared once (``Upload``), documented and read from the same declaration.

An operation that takes a file (an .ics calendar, a CSV import, a pasted timetable) declares
``upload=Upload(...)`` with ``openapi.operation``: the document shows the request body as
``multipart/form-data`` with the file in the part ``file``, or the raw file as the body with one of
the declared media types; ``Upload.read`` takes exactly that, and answers 415 for any other media
type, 422 naming the field for a missing file or an unknown form part. Options travel as declared
query parameters. No database here.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort

from booking.errors import json_error
from booking.validation import ValidationFailed

MULTIPART = "multipart/form-data"
PART = "file"
UNNAMED = "(a part without a name)"


@dataclass(frozen=True)
class Uploaded:
    data: bytes
    filename: str  # as the multipart part names it; "" for a raw body


@dataclass(frozen=True)
class Upload:
    media_types: tuple[str, ...]  # the raw body's media types, e.g. ("text/calendar",)
    description: str
    required: bool = True  # False: the operation may also be called without a body (e.g. a web address instead)
    max_bytes: int | None = None  # a file longer than this is read only this far plus one byte (the reader refuses it)

    def openapi(self) -> dict:
        binary = {"type": "string", "format": "binary", "description": self.description}
        content = {MULTIPART: {"schema": {"type": "object", "required": [PART], "additionalProperties": False,
                                          "properties": {PART: binary}}}}
        content.update({media_type: {"schema": binary} for media_type in self.media_types})
        return {"required": self.required, "content": content,
                "description": f"The file as the part `{PART}` of a multipart/form-data body, or the raw file "
                               f"as the body ({', '.join(self.media_types)})."}

    def _limited(self, stream) -> bytes:
        return stream.read() if self.max_bytes is None else stream.read(self.max_bytes + 1)

    def _from_form(self, request) -> Uploaded | None:
        unknown = sorted(name or UNNAMED for name in (set(request.form) | set(request.files)) - {PART})
        if unknown:
            raise ValidationFailed({name: f"Unknown field: send only the part `{PART}` (options go in the query)."
                                    for name in unknown})
        part = request.files.get(PART)
        if part is None:
            if self.required:
                raise ValidationFailed({PART: f"Send the file as the multipart part `{PART}`."})
            return None
        return Uploaded(self._limited(part.stream), part.filename or "")

    def read(self, request) -> Uploaded | None:
        """The uploaded file; None when the body is empty and the upload is optional."""
        if request.mimetype == MULTIPART:
            return self._from_form(request)
        data = request.get_data()
        if not data and not self.required:
            return None
        if request.mimetype in self.media_types:
            return Uploaded(data if self.max_bytes is None else data[:self.max_bytes + 1], "")
        abort(json_error(415, f"Send the file as {MULTIPART} (part `{PART}`) or as the body with Content-Type "
                              f"{' or '.join(self.media_types)}.", error="unsupported_media_type"))
