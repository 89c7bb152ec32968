"""Asking for a reset link and setting the new password. Both flush; the request commits.

The answer to "send me a link" is the same whether or not the address has an account, and the
mail leaves in a background thread, so neither the page nor its timing says which. An address
gets at most one link every ``RESEND_MINUTES`` (the audit log remembers when), so the form cannot
be used to flood someone's mailbox.
"""
from __future__ import annotations

import logging
import threading
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select, update

from booking.accounts.models import User
from booking.accounts.passwords import MIN_PASSWORD_LENGTH, hash_password
from booking.accounts.services import find_user_by_email
from booking.audit.models import AuditEntry
from booking.audit.services import record
from booking.clock import utcnow
from booking.digests.formatting import external_url
from booking.digests.senders import SendFailed, Sender, sender_from_config
from booking.extensions import db
from booking.password_reset import tokens
from booking.texts import lazy_gettext as _l
from booking.validation import ValidationFailed

log = logging.getLogger(__name__)
RESEND_MINUTES = 5
REQUESTED = "user.password_reset_requested"


def link_minutes() -> int:
    """How long a link works (PASSWORD_RESET_MINUTES, default 60)."""
    return int(current_app.config.get("PASSWORD_RESET_MINUTES", 60))


def _asked_lately(user: User) -> bool:
    since = utcnow() - timedelta(minutes=RESEND_MINUTES)
    return db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == REQUESTED, AuditEntry.entity_type == "User", AuditEntry.entity_id == str(user.id),
        AuditEntry.at >= since).limit(1)) is not None


def reset_email(user: User, link: str, minutes: int) -> EmailMessage:
    with force_locale(user.locale or "zh_CN"):
        message = EmailMessage()
        message["From"] = current_app.config["MAIL_FROM"]
        message["To"] = user.email
        message["Subject"] = str(_l("Reset your District Share password"))
        context = {"user": user, "link": link, "minutes": minutes}
        message.set_content(render_template("password_reset/email.txt", **context))
        message.add_alternative(render_template("password_reset/email.html", **context), subtype="html")
    return message


def _send_quietly(sender: Sender, message: EmailMessage, key: str) -> None:
    try:
        sender.send(message, key)
    except SendFailed as failed:  # nothing to retry: the person asks again, and the page said nothing
        log.warning("password reset mail to user %s not handed over: %s", key, failed)


def request_reset(email: str, remote_addr: str) -> threading.Thread | None:
    """Mail a reset link to the account of ``email`` if there is an active one that did not ask in the
    last few minutes; returns the sending thread (None when nothing is sent), for tests to wait on."""
    user = find_user_by_email(email)
    if user is None or not user.active or _asked_lately(user):
        return None
    token = tokens.make_token(current_app.config["SECRET_KEY"], user.id, user.password_hash, user.session_version,
                              utcnow())
    message = reset_email(user, external_url("password_reset.reset", token=token), link_minutes())
    record(None, REQUESTED, user, {"from": remote_addr[:64]})
    sender = sender_from_config(current_app.config, current_app.instance_path)
    thread = threading.Thread(target=_send_quietly, args=(sender, message, f"password-reset-{user.id}"), daemon=True)
    thread.start()
    return thread


def user_for_token(token: str) -> User | None:
    """The active account a genuine, unexpired, unused token names; None otherwise."""
    read = tokens.read_token(current_app.config["SECRET_KEY"], token or "", link_minutes() * 60, utcnow())
    if read is None:
        return None
    user = db.session.get(User, read[0])
    if user is None or not user.active:
        return None
    return user if tokens.matches(tokens.fingerprint(user.password_hash, user.session_version), read[1]) else None


def expired_message():
    return _l("This link has expired or was already used. Ask for a new one.")


def reset_password(token: str, new_password: str) -> User:
    """Set the password a valid token allows, once (compare-and-set on the old hash), and sign the
    account out everywhere. Raises ValidationFailed naming ``token`` or ``new_password``."""
    user = user_for_token(token)
    if user is None:
        raise ValidationFailed({"token": expired_message()})
    if len(new_password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed({"new_password": _l("The password needs at least %(n)d characters.",
                                                   n=MIN_PASSWORD_LENGTH)})
    changed = db.session.execute(
        update(User).where(User.id == user.id, User.password_hash == user.password_hash,
                           User.session_version == user.session_version)
        .values(password_hash=hash_password(new_password), must_change_password=False,
                session_version=User.session_version + 1)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:  # the same link used twice at the same moment: the other one won
        raise ValidationFailed({"token": expired_message()})
    db.session.expire(user)
    record(user, "user.password_reset", user)
    db.session.flush()
    return user
