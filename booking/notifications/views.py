"""Pages: my notifications (mark read, mark all read), my notification settings and robots, a school's robots."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from booking import permissions

from booking.confirmation import Confirmation, confirmation_page, confirmed
from booking.extensions import db
from booking.notifications import formats, services
from booking.notifications.forms import ROBOT_LABELS, PlainForm, RobotForm, SettingsForm
from booking.notifications.models import NotificationRobot
from booking.schools.models import School
from booking.urls import safe_next_url
from booking.validation import NotAllowed, ValidationFailed

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE = 50


def register_globals(app: Flask) -> None:
    @app.template_global("unread_notifications")
    def unread_notifications() -> int:
        """The header's badge: the signed-in user's unread notifications (none shown when the database fails,
        so an error page still renders)."""
        if not current_user.is_authenticated:
            return 0
        try:
            return services.unread_count(current_user)
        except SQLAlchemyError:
            return 0


@bp.get("/")
@login_required
def index():
    unread_only = request.args.get("show") == "unread"
    page = request.args.get("page", 0, type=int)
    if page < 0 or page > 10_000:
        abort(404)
    rows = services.notifications_of(current_user, unread_only=unread_only, limit=PAGE + 1, offset=page * PAGE)
    items = [(row, services.describe(row)) for row in rows[:PAGE]]
    return render_template("notifications/index.html", items=items, form=PlainForm(), unread_only=unread_only,
                           page=page, more=len(rows) > PAGE, unread=services.unread_count(current_user))


def _back():
    return redirect(safe_next_url(request.form.get("next")) or url_for("notifications.index"))


@bp.post("/<id:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    if not PlainForm().validate_on_submit():
        abort(400)
    if services.notification_of(current_user, notification_id) is None:
        abort(404)
    services.mark_read(current_user, [notification_id])
    return _back()


@bp.post("/read-all")
@login_required
def mark_all_read():
    if not PlainForm().validate_on_submit():
        abort(400)
    changed = services.mark_read(current_user)
    flash(_("%(n)d notifications marked as read.", n=changed), "success")
    return _back()


# --- settings and robots ----------------------------------------------------------------------

def _robot_rows(robots):
    return [(robot, ROBOT_LABELS[robot.kind], formats.mask_url(robot.url)) for robot in robots]


def _settings_form() -> SettingsForm:
    settings = services.settings_of(current_user)
    minutes = settings.reminder_minutes
    return SettingsForm(email=settings.email, reminder_minutes=str(minutes) if minutes else "")


def _render_preferences(settings_form=None, robot_form=None, status=200):
    school_id = current_user.school_id
    return render_template(
        "notifications/preferences.html", settings_form=settings_form or _settings_form(),
        robot_form=robot_form or RobotForm(), plain=PlainForm(), robots=_robot_rows(services.robots_of_user(current_user)),
        school_robots_url=(url_for("notifications.school_robots", school_id=school_id)
                           if permissions.can_manage_school_robots(current_user, school_id) else None),
    ), status


@bp.get("/settings")
@login_required
def preferences():
    return _render_preferences()


@bp.post("/settings")
@login_required
def save_preferences():
    form = SettingsForm()
    if form.validate_on_submit():
        raw = form.reminder_minutes.data or ""
        try:
            minutes = int(raw) if raw else None
            services.save_settings(current_user, form.email.data, minutes, current_user)
        except ValueError:
            form.reminder_minutes.errors = [_("Choose one of the offered reminder times.")]
        except ValidationFailed as failed:
            form.reminder_minutes.errors = [str(failed.errors["reminder_minutes"])]
        else:
            flash(_("Your notification settings were saved."), "success")
            return redirect(url_for("notifications.preferences"))
    return _render_preferences(settings_form=form, status=422)


def _add_robot(form: RobotForm, **owner) -> bool:
    if not form.validate_on_submit():
        return False
    try:
        services.add_robot(current_user, kind=form.kind.data or "", url=form.url.data or "",
                           secret=form.secret.data or "", markdown=form.markdown.data, label=form.label.data or "",
                           **owner)
    except ValidationFailed as failed:
        for name, message in failed.errors.items():
            getattr(form, name).errors = [str(message)]
        return False
    flash(_("The robot was added. Its address is kept secret and shown shortened."), "success")
    return True


@bp.post("/settings/robots")
@login_required
def add_my_robot():
    form = RobotForm()
    if _add_robot(form, user=current_user):
        return redirect(url_for("notifications.preferences"))
    return _render_preferences(robot_form=form, status=422)


@bp.post("/robots/<id:robot_id>/delete")
@login_required
def delete_robot(robot_id: int):
    if not PlainForm().validate_on_submit():
        abort(400)
    robot = db.session.get(NotificationRobot, robot_id)
    if robot is None or not services.may_change_robot(current_user, robot):
        abort(404)
    school_id = robot.school_id
    if not confirmed():
        back = (url_for("notifications.school_robots", school_id=school_id) if school_id is not None
                else url_for("notifications.preferences"))
        return confirmation_page(Confirmation(
            title=_("Remove the robot %(name)s?", name=robot.label or robot.kind), action=request.path, back_url=back,
            confirm_label=_("Remove the robot"),
            consequences=[_("Its group chat gets no more messages from here; to have them again, add the robot with "
                            "its web address again.")]))
    try:
        services.remove_robot(current_user, robot)
    except NotAllowed:
        abort(403)
    flash(_("The robot was removed."), "success")
    if school_id is not None:
        return redirect(url_for("notifications.school_robots", school_id=school_id))
    return redirect(url_for("notifications.preferences"))


def _school_or_404(school_id: int) -> School:
    school = db.session.get(School, school_id)
    if school is None or not permissions.can_manage_school_robots(current_user, school_id):
        abort(404)
    return school


def _render_school(school: School, form: RobotForm | None = None, status: int = 200):
    return render_template("notifications/school_robots.html", school=school, robot_form=form or RobotForm(),
                           plain=PlainForm(), robots=_robot_rows(services.robots_of_school(school.id))), status


@bp.get("/schools/<id:school_id>/robots")
@login_required
def school_robots(school_id: int):
    return _render_school(_school_or_404(school_id))


@bp.post("/schools/<id:school_id>/robots")
@login_required
def add_school_robot(school_id: int):
    school = _school_or_404(school_id)
    form = RobotForm()
    if _add_robot(form, school_id=school.id):
        return redirect(url_for("notifications.school_robots", school_id=school.id))
    return _render_school(school, form, 422)
