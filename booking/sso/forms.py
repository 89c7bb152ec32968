from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from booking.texts import lazy_gettext as _l


class DirectoryLoginForm(FlaskForm):
    """The school directory's (LDAP / Active Directory) user name and password."""

    username = StringField(_l("Directory user name"), validators=[DataRequired(), Length(max=200)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in"))
