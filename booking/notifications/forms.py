"""The notifications' forms (Flask-WTF, CSRF on each): settings, a robot, and the bare mark-read forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from booking.notifications.models import RobotKind
from booking.notifications.services import REMINDER_CHOICES
from booking.texts import lazy_gettext as _l

ROBOT_LABELS = {RobotKind.WECOM: _l("WeCom (企业微信) group robot"), RobotKind.DINGTALK: _l("DingTalk (钉钉) robot"),
                RobotKind.FEISHU: _l("Feishu (飞书) bot")}


def reminder_label(minutes: int):
    if minutes % 60 == 0:
        return _l("%(n)d hours before", n=minutes // 60) if minutes > 60 else _l("1 hour before")
    return _l("%(n)d minutes before", n=minutes)


class SettingsForm(FlaskForm):
    email = BooleanField(_l("Email me when something happens to my bookings"))
    # The service checks the value, so a bad one gets its message on this field.
    reminder_minutes = SelectField(_l("Remind me before each booking"), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reminder_minutes.choices = [("", _l("No reminder"))] + [(str(m), reminder_label(m))
                                                                     for m in REMINDER_CHOICES]


class RobotForm(FlaskForm):
    kind = SelectField(_l("Robot"), validate_choice=False)
    label = StringField(_l("Name (for you, e.g. the group's name)"), validators=[Length(max=100)])
    # The address is a secret: never put back into the page (render_kw value is never set).
    url = PasswordField(_l("Webhook address"), validators=[DataRequired(message=_l("Enter the webhook address."))])
    secret = PasswordField(_l("Signing secret (DingTalk 加签 / Feishu 签名校验; empty if not used)"))
    markdown = BooleanField(_l("Formatted message (markdown / rich text)"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind.value, label) for kind, label in ROBOT_LABELS.items()]


class PlainForm(FlaskForm):
    """A button's form: only the CSRF token."""
