"""The two forms: the address to send a link to, and the new password twice (CSRF on both)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired, Length

from booking.accounts.forms import NewPasswordForm
from booking.texts import lazy_gettext as _l


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=255)], render_kw={"autocomplete": "email"})


ResetForm = NewPasswordForm
