"""Sending the outbox: one message per short transaction, retried with backoff, never dropped.

Never twice. A sender takes one due message with a lock (PostgreSQL: ``FOR UPDATE SKIP LOCKED``,
so parallel schedulers take different messages; SQLite: the conditional UPDATE takes the
database's write lock), hands it over, and marks it sent in that same transaction, committed
right after the hand-over. A second sender either skips the locked row or finds it sent.

The crash window, and the choice made. Between the SMTP server's "250 OK" and our COMMIT there
are a few milliseconds in which a crash leaves the message pending although it went out. We
chose to send it again after such a crash (at least once) rather than risk never sending it
(at most once: "sent" committed before the hand-over), because a digest must not be lost.
The retry is idempotent: the message is byte-for-byte the same, with the same Message-ID, so
mail systems can tell it is the same message; the .eml sender rewrites the same file.

Notifications (``booking.notifications``) travel in the same outbox and are taken the same way: an
email goes to the mail sender, a robot message is POSTed to its webhook (``channels.WebhookPoster``),
signed at each attempt where the robot wants it; a robot answering an error code is a failure too.

Failures (the server refuses, is unreachable, times out) leave the message pending with
``next_attempt_at`` pushed back: 1, 2, 4 … minutes, at most 30.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from booking.clock import utcnow
from booking.digests.models import DigestKind, OutboxChannel, OutboxMessage, OutboxStatus
from booking.digests.senders import Sender, SendFailed
from booking.digests.unsubscribe import unsubscribe_url
from booking.extensions import db
from booking.notifications.channels import WebhookPoster, poster_from_config

log = logging.getLogger("booking.scheduler")

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_LONGEST = timedelta(minutes=30)
BATCH = 500


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    doublings = min(max(0, attempts - 1), 16)  # bounded: a message failing for days must not overflow
    return min(BACKOFF_FIRST * 2 ** doublings, BACKOFF_LONGEST)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    next_retry: datetime | None = None  # the earliest retry still waiting


def file_key(message: OutboxMessage) -> str:
    """A stable name for the message (the .eml file's): one per recipient, kind and date (a notification's own)."""
    if message.kind == DigestKind.NOTIFICATION:
        return f"notification-{message.notification_id}-{message.id}"
    return f"{message.digest_date.isoformat()}-{message.kind}-user{message.recipient_id}"


def _message_id_domain() -> str:
    address = parseaddr(current_app.config.get("MAIL_FROM", ""))[1]
    return address.rpartition("@")[2] or urlsplit(current_app.config["PUBLIC_URL"]).hostname or "localhost"


def build_email(message: OutboxMessage) -> EmailMessage:
    """The MIME message (text and HTML alternatives); the same bytes on every attempt."""
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.recipient_email
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    email["Message-ID"] = f"<{message.message_id}@{_message_id_domain()}>"
    if message.kind != DigestKind.NOTIFICATION:  # a notification links to its settings page instead
        # RFC 8058: mail programs may offer a one-click unsubscribe that POSTs to this address.
        email["List-Unsubscribe"] = f"<{unsubscribe_url(message.recipient_id)}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text, cte="base64")
    email.add_alternative(message.html, subtype="html", cte="base64")
    # A fixed boundary instead of a random one: both parts are base64, which never contains "--".
    email.set_boundary(f"=_{message.message_id}")
    return email


def _take_next_due(now: datetime) -> OutboxMessage | None:
    """Lock one due message for this transaction (counting the attempt); None when none is due."""
    while True:
        candidate = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(1)
            .with_for_update(skip_locked=True))
        if candidate is None:
            return None
        taken = db.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == candidate.id, OutboxMessage.status == OutboxStatus.PENDING)
            .values(attempts=OutboxMessage.attempts + 1).execution_options(synchronize_session=False)).rowcount
        if taken == 1:
            db.session.refresh(candidate)
            return candidate
        db.session.rollback()  # another sender finished it between our read and our write


def _send(sender: Sender, poster: WebhookPoster, message: OutboxMessage) -> None:
    if message.channel == OutboxChannel.EMAIL:
        sender.send(build_email(message), file_key(message))
        return
    robot = message.robot
    if robot is None or not robot.active:
        raise SendFailed("the robot was switched off; the message waits until it is on again")
    if not robot.url:  # sealed with a SECRET_KEY no longer configured (booking/notifications/sealing.py)
        raise SendFailed("the robot's address cannot be opened with this SECRET_KEY: set the robot up again")
    poster.post(robot.kind.value, robot.url, robot.secret, json.loads(message.payload))


def _hand_over(sender: Sender, poster: WebhookPoster, message: OutboxMessage, now: datetime,
               report: DeliveryReport) -> None:
    try:
        _send(sender, poster, message)
    except Exception as error:  # noqa: BLE001 (anything but a hand-over is a failure to retry, never a stuck queue)
        message.next_attempt_at = now + backoff(message.attempts)
        expected = isinstance(error, SendFailed)
        message.last_error = (str(error) if expected else f"{type(error).__name__}: {error}")[:500]
        report.failed += 1
        log.warning("outbox message %s to %s not sent (attempt %d): %s; next try at %s UTC", message.id,
                    message.recipient_email, message.attempts, message.last_error,
                    f"{message.next_attempt_at:%Y-%m-%d %H:%M}", exc_info=not expected)
    else:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, now, ""
        report.sent += 1


def deliver_due(sender: Sender, now: datetime | None = None, limit: int = BATCH,
                poster: WebhookPoster | None = None) -> DeliveryReport:
    """Hand over every message due at ``now`` (at most ``limit``); failures wait for their retry.
    Emails go to ``sender``, robot messages to ``poster`` (default: from NOTIFY_WEBHOOK_ALLOWED_HOSTS)."""
    now = now or utcnow()
    poster = poster or poster_from_config(current_app.config)
    report = DeliveryReport()
    db.session.rollback()  # each message gets a transaction of its own
    for _ in range(limit):
        message = _take_next_due(now)
        if message is None:
            break
        _hand_over(sender, poster, message, now, report)
        db.session.commit()
    report.next_retry = db.session.scalar(select(func.min(OutboxMessage.next_attempt_at))
                                          .where(OutboxMessage.status == OutboxStatus.PENDING))
    db.session.commit()
    if report.sent or report.failed:
        log.info("outbox via %s: %d sent, %d failed", sender.description, report.sent, report.failed)
    return report
