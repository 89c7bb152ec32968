from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from booking.accounts.models import Role
from booking.accounts.passwords import MIN_PASSWORD_LENGTH
from booking.accounts.checks import STAFF_NUMBER_LENGTH, UserInput
from booking.i18n import LANGUAGE_NAMES
from booking.labels import choices
from booking.parsing import parse_whole_number
from booking.texts import lazy_gettext as _l
from booking.validation import MAX_ID


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=255)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    locale = SelectField(_l("Language"), choices=[("zh_CN", "中文"), ("en", "English")])


class NewPasswordForm(FlaskForm):
    """A new password typed twice (the password-reset page); the service checks its length."""

    new_password = PasswordField(_l("New password"), validators=[DataRequired()],
                                 render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH})
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))],
        render_kw={"autocomplete": "new-password"})


class ChangePasswordForm(NewPasswordForm):
    """The service checks the passwords (current one right, new one long enough and different)."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})


class TokenForm(FlaskForm):
    name = StringField(_l("What the token is for"), validators=[Optional(), Length(max=100)])


class UserForm(FlaskForm):
    """A coordinator's form for one user. The service checks the values (the CSV import gets the same messages)."""

    email = EmailField(_l("Email"), render_kw={"autocomplete": "off"})
    display_name = StringField(_l("Full name"))
    role = SelectField(_l("Role"), choices=choices(Role))
    # Named like the service's error key, so its message lands on this field.
    school = SelectField(_l("School"), validate_choice=False)
    area = SelectField(_l("Area (coordinators only)"), validate_choice=False)
    district = SelectField(_l("District (coordinators only)"), validate_choice=False)
    staff_number = StringField(_l("Staff number (工号)"), render_kw={"maxlength": STAFF_NUMBER_LENGTH,
                                                                    "autocomplete": "off"})
    locale = SelectField(_l("Language"), choices=list(LANGUAGE_NAMES.items()))
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "new-password"})
    active = BooleanField(_l("Active (may sign in)"), default=True)
    min_password_length = MIN_PASSWORD_LENGTH

    def set_school_choices(self, schools, none_label) -> None:
        self.school.choices = [("", none_label)] + [(s.code, f"{s.name} ({s.code})") for s in schools]

    def set_area_choices(self, areas, district_label) -> None:
        self.area.choices = [("", district_label)] + [(area, area) for area in areas]

    def set_district_choices(self, districts, county_label=None) -> None:
        """``county_label``: the choice of no district (a county coordinator), for those who may make one."""
        self.district.choices = ([("", county_label)] if county_label else []) + [
            (str(district.id), district.name) for district in districts]

    def to_input(self) -> UserInput:
        return UserInput(email=self.email.data or "", display_name=self.display_name.data or "",
                         role=self.role.data or "", school_code=self.school.data or None,
                         password=self.password.data or None, locale=self.locale.data or "",
                         area=self.area.data or "", district_id=self._district_id(),
                         staff_number=self.staff_number.data or "")

    def _district_id(self) -> int | None:
        raw = (self.district.data or "").strip()
        return (parse_whole_number(raw, MAX_ID) or 0) if raw else None  # 0: no such district
