"""The two forms: the address to send a link to, and the new password twice (CSRF on both)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from booking.accounts.passwords import MIN_PASSWORD_LENGTH
from booking.texts import lazy_gettext as _l


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=255)], render_kw={"autocomplete": "email"})


class ResetForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired()],
                                 render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH})
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"})
