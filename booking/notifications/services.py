"""Telling people: a notification row and its outbox messages, written in the caller's transaction.

``notify`` writes the in-app notification and, in the recipient's language, one outbox message per
channel they get it on: email (unless switched off), each of their own active robots, and each active
robot of the school the booking is for (set up by the school's admin). The outbox sender
(``booking.digests.delivery``) hands them over, retried until they arrive, never twice.
Services only flush; the request, the job or the command commits.
"""
from __future__ import annotations

import json
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import func, select, update

from booking import permissions
from booking.accounts.models import User
from booking.audit.services import record

from booking.clock import utcnow
from booking.digests.formatting import external_url
from booking.digests.models import DigestKind, OutboxChannel, OutboxMessage
from booking.digests.render import locale_of
from booking.extensions import db
from booking.i18n import local_today
from booking.notifications import channels, formats, messages
from booking.notifications.models import (Notification, NotificationKind, NotificationRobot, NotificationSettings,
                                          RobotKind)
from booking.texts import lazy_gettext as _l
from booking.validation import NotAllowed, ValidationFailed

REMINDER_CHOICES = (10, 15, 30, 60, 120, 1440)  # minutes before a booking
LIST_LIMIT = 50
ROBOTS_PER_OWNER = 5


# --- settings ---------------------------------------------------------------------------------

def settings_of(user) -> NotificationSettings:
    """The user's settings (the defaults, not added to the session, when they never saved any)."""
    found = db.session.get(NotificationSettings, user.id)
    return found if found is not None else NotificationSettings(user_id=user.id, email=True, reminder_minutes=None)


def save_settings(user, email: bool, reminder_minutes: int | None, actor) -> NotificationSettings:
    if reminder_minutes is not None and reminder_minutes not in REMINDER_CHOICES:
        raise ValidationFailed({"reminder_minutes": _l("Choose one of the offered reminder times.")})
    settings = db.session.get(NotificationSettings, user.id)
    if settings is None:
        settings = NotificationSettings(user_id=user.id)
        db.session.add(settings)
    before = (settings.email, settings.reminder_minutes)
    settings.email, settings.reminder_minutes = bool(email), reminder_minutes
    if before != (settings.email, settings.reminder_minutes):
        record(actor, "notifications.settings", user, {"email": settings.email, "reminder_minutes": reminder_minutes})
    db.session.flush()
    return settings


# --- robots -----------------------------------------------------------------------------------

def robots_of_school(school_id: int) -> list[NotificationRobot]:
    return list(db.session.scalars(select(NotificationRobot).where(NotificationRobot.school_id == school_id)
                                   .order_by(NotificationRobot.id)))


def robots_of_user(user) -> list[NotificationRobot]:
    return list(db.session.scalars(select(NotificationRobot).where(NotificationRobot.user_id == user.id)
                                   .order_by(NotificationRobot.id)))


def add_robot(actor, *, kind: str, url: str, secret: str = "", markdown: bool = True, label: str = "",
              school_id: int | None = None, user=None) -> NotificationRobot:
    """A school's robot (``school_id``, its admins) or a person's own (``user``, themselves)."""
    if school_id is not None and not permissions.can_manage_school_robots(actor, school_id):
        raise NotAllowed(_l("Only the school's administrators set up its robots."))
    if user is not None and user.id != actor.id:
        raise NotAllowed(_l("You can only set up your own robots."))
    errors = {}
    try:
        robot_kind = RobotKind(kind)
    except ValueError:
        errors["kind"] = _l("Choose WeCom, DingTalk or Feishu.")
        robot_kind = None
    url, secret, label = (url or "").strip(), (secret or "").strip(), (label or "").strip()
    if len(url) > 1000:
        errors["url"] = _l("The webhook address is too long.")
    else:
        try:
            channels.check_url(url, current_app.config.get("NOTIFY_WEBHOOK_ALLOWED_HOSTS") or ())
        except channels.UnsafeWebhook as unsafe:
            errors["url"] = str(unsafe)
    if len(secret) > 200:
        errors["secret"] = _l("The signing secret is too long.")
    if secret and robot_kind == RobotKind.WECOM:
        errors["secret"] = _l("WeCom robots are not signed: leave the secret empty.")
    if len(label) > 100:
        errors["label"] = _l("The name is too long.")
    existing = robots_of_school(school_id) if school_id is not None else robots_of_user(user)
    if len(existing) >= ROBOTS_PER_OWNER:
        errors["url"] = _l("At most %(n)d robots.", n=ROBOTS_PER_OWNER)
    if errors:
        raise ValidationFailed(errors)
    robot = NotificationRobot(school_id=school_id, user_id=user.id if user is not None else None, kind=robot_kind,
                              url=url, secret=secret, markdown=bool(markdown), label=label, active=True,
                              created_by_id=actor.id)
    db.session.add(robot)
    db.session.flush()
    record(actor, "notifications.robot_added", robot, {"kind": robot_kind.value, "school_id": school_id,
                                                       "url": formats.mask_url(url)})
    return robot


def may_change_robot(actor, robot: NotificationRobot) -> bool:
    if robot.school_id is not None:
        return permissions.can_manage_school_robots(actor, robot.school_id)
    return robot.user_id == actor.id


def remove_robot(actor, robot: NotificationRobot) -> None:
    """Remove the robot; messages still waiting for it go with it (the owner chose so)."""
    if not may_change_robot(actor, robot):
        raise NotAllowed(_l("You may not change this robot."))
    record(actor, "notifications.robot_removed", robot, {"kind": robot.kind.value, "url": formats.mask_url(robot.url)})
    db.session.delete(robot)
    db.session.flush()


# --- writing notifications --------------------------------------------------------------------

def _email_parts(user, headline: str, lines: list[str], link: str) -> tuple[str, str]:
    context = {"user": user, "headline": headline, "lines": lines, "link": link,
               "settings_url": external_url("notifications.preferences"),
               "html_lang": locale_of(user).replace("_", "-")}
    return render_template("notifications/email.html", **context), render_template("notifications/email.txt", **context)


def _robots_for(user, school_id: int | None) -> list[NotificationRobot]:
    owners = [NotificationRobot.user_id == user.id]
    if school_id is not None:
        owners.append(NotificationRobot.school_id == school_id)
    return list(db.session.scalars(select(NotificationRobot).where(NotificationRobot.active.is_(True),
                                                                   db.or_(*owners)).order_by(NotificationRobot.id)))


def notify(user: User, kind: NotificationKind, params: dict, *, booking_id: int | None = None,
           school_id: int | None = None, dedupe_key: str | None = None, link: str | None = None) -> Notification | None:
    """Write the notification and its outbox messages; None when ``dedupe_key`` was already told."""
    if user is None or not user.active:
        return None
    notification = Notification(user_id=user.id, kind=kind, booking_id=booking_id, dedupe_key=dedupe_key,
                                params_json=json.dumps(params, ensure_ascii=False, default=str), created_at=utcnow())
    if dedupe_key is not None and db.session.scalar(
            select(Notification.id).where(Notification.user_id == user.id, Notification.dedupe_key == dedupe_key)):
        return None  # the UNIQUE (user, dedupe_key) backs this up: a racing writer's transaction fails whole
    db.session.add(notification)
    db.session.flush()
    link = link or (external_url("bookings.detail", booking_id=booking_id) if booking_id
                    else external_url("notifications.index"))
    locale = locale_of(user)
    today, now = local_today(), utcnow()
    with force_locale(locale):
        common = {"recipient_id": user.id, "recipient_email": user.email or "", "kind": DigestKind.NOTIFICATION,
                  "digest_date": today, "notification_id": notification.id, "locale": locale, "next_attempt_at": now,
                  "created_at": now}
        settings = settings_of(user)
        if settings.email and user.email:
            title = messages.headline(kind, params)
            html, text = _email_parts(user, title, messages.detail_lines(params), link)
            db.session.add(OutboxMessage(**common, channel=OutboxChannel.EMAIL, subject=title[:255], html=html,
                                         text=text))
        robots = _robots_for(user, school_id)
        if robots:
            robot_message = formats.RobotMessage(
                title=messages.headline(kind, params, formats.neutralise),
                lines=messages.detail_lines(params, formats.neutralise), link=link, link_label=str(_l("Open")))
        for robot in robots:
            body = formats.payload(robot.kind.value, robot.markdown, robot_message)
            db.session.add(OutboxMessage(**common, channel=OutboxChannel(robot.kind.value), robot_id=robot.id,
                                         subject=robot_message.title[:255], html="", text=robot_message.title,
                                         payload=json.dumps(body, ensure_ascii=False)))
    db.session.flush()
    return notification


# --- reading ----------------------------------------------------------------------------------

def notifications_query(user, unread_only: bool = False):
    """The user's notifications, newest first (the list's and the API's query)."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def notifications_of(user, *, unread_only: bool = False, limit: int = LIST_LIMIT, offset: int = 0) -> list[Notification]:
    return list(db.session.scalars(notifications_query(user, unread_only).limit(limit).offset(offset)))


def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def notification_of(user, notification_id: int) -> Notification | None:
    found = db.session.get(Notification, notification_id)
    return found if found is not None and permissions.can_see_notification(user, found) else None


def mark_read(user, notification_ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Mark the user's notifications (all when ``notification_ids`` is None) read; how many changed.
    A compare-and-set: only unread rows of this user are touched."""
    statement = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        statement = statement.where(Notification.id.in_(notification_ids))
    changed = db.session.execute(statement.values(read_at=now or utcnow())
                                 .execution_options(synchronize_session=False)).rowcount
    db.session.flush()
    return changed


def describe(notification: Notification) -> dict:
    """The notification's words in the current locale (for pages and the API)."""
    params = notification.params
    return {"headline": messages.headline(notification.kind, params), "lines": messages.detail_lines(params),
            "label": str(messages.KIND_LABELS[notification.kind])}
