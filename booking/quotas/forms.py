"""Forms of the coordinators' fair-shares page. They carry input and CSRF only: the services validate."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from booking.texts import lazy_gettext as _l


def _number(label, hint_type: str = "number") -> StringField:
    return StringField(label, render_kw={"inputmode": "decimal", "type": hint_type, "min": "0", "step": "any"})


def typed_number(text: str | None):
    """"28" → 28, "2.5" → 2.5, "" → None; anything else is passed on for the service to name."""
    text = (text or "").strip()
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


class _Scoped(FlaskForm):
    scope = SelectField(_l("For"), validate_choice=False)

    def set_scopes(self, choices) -> None:
        self.scope.choices = choices


class WindowForm(_Scoped):
    weak_days = _number(_l("Weak schools (days ahead)"))
    other_days = _number(_l("Other schools (days ahead)"))
    owner_days = _number(_l("The owner school (days ahead)"))

    def values(self) -> dict:
        return {name: typed_number(getattr(self, name).data) for name in ("weak_days", "other_days", "owner_days")}


class QuotaForm(_Scoped):
    hours = _number(_l("Hours per school per term"))
    hours_per_100 = _number(_l("Or hours per 100 students"))
    owner_hours = _number(_l("The owner school's own use (hours)"))

    def values(self) -> dict:
        return {name: typed_number(getattr(self, name).data) for name in ("hours", "hours_per_100", "owner_hours")}


class ExceptionForm(FlaskForm):
    quota_id = SelectField(_l("Quota"), validate_choice=False)
    school_id = SelectField(_l("School"), validate_choice=False)
    term_id = SelectField(_l("Term"), validate_choice=False)
    extra_hours = _number(_l("Extra hours"))
    reason = StringField(_l("Reason"), render_kw={"maxlength": "500"})
