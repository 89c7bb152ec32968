"""What every package's forms share: a required marker that leaves the message to the service,
a CSRF-only form for buttons, and showing a service's field errors on a form's inputs."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField


class Required:
    """Marks a field as required (asterisk and ``required`` attribute) without checking it here:
    the service's check gives the message, the same one a CSV import gets."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class CsrfOnlyForm(FlaskForm):
    """For buttons and hand-built inputs (the travel matrix): checks the CSRF token only."""


def _leaf_fields(fields):
    for f in fields:
        if isinstance(f, (FieldList, FormField)):
            yield from _leaf_fields(f)
        else:
            yield f


def attach_errors(form: FlaskForm, errors: dict) -> None:
    """Show a service's field errors on the matching inputs; the rest above the form."""
    by_name = {f.name: f for f in _leaf_fields(form)}
    for key, message in errors.items():
        target = by_name.get(key)
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)
    for field in form:
        if isinstance(field, FieldList):  # a list keeps a copy of its rows' errors, made when it validated
            row_errors = [entry.errors for entry in field.entries]
            field.errors = row_errors if any(row_errors) else []
