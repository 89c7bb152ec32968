"""Sending the outbox: retried with backoff until it arrives, once; SMTP and .eml senders."""
import smtplib
from collections import Counter
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import select

from booking import clock
from booking.accounts.models import DigestFrequency
from booking.digests.delivery import BACKOFF_LONGEST, backoff, build_email, deliver_due
from booking.digests.jobs import DIGESTS, jobs, run_slot
from booking.digests.models import OutboxMessage, OutboxStatus
from booking.digests.senders import EmlDirectorySender, MailSettingsError, SendFailed, SmtpSender, sender_from_config
from booking.extensions import db
from tests.digest_support import CUT, at_digest_time, build_scenario


class RefusingSmtp:
    """An SMTP server that refuses everything until ``until`` (read from the app's clock), then accepts."""

    description = "fake SMTP"

    def __init__(self, until):
        self.until = until
        self.accepted: list[str] = []
        self.refusals = 0

    def send(self, message, key):
        if clock.utcnow() < self.until:
            self.refusals += 1
            raise SendFailed("421 Service not available, try again later")
        self.accepted.append(message["Message-ID"])


def rendered_outbox(app) -> list[OutboxMessage]:
    build_scenario()
    at_digest_time()
    run_slot(jobs()[DIGESTS], CUT, "test")
    return list(db.session.scalars(select(OutboxMessage)))


def test_backoff_doubles_up_to_half_an_hour():
    assert [backoff(n).total_seconds() / 60 for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff(50) == BACKOFF_LONGEST


def test_a_server_refusing_for_an_hour_still_gets_every_message_once(app):
    messages = rendered_outbox(app)
    server = RefusingSmtp(until=CUT + timedelta(hours=1))
    now = CUT
    while now <= CUT + timedelta(hours=2):  # the scheduler's sender runs every minute
        clock.freeze(now)
        deliver_due(server)
        now += timedelta(minutes=1)
    assert len(messages) == 3 and server.refusals > 3 * 5
    assert Counter(server.accepted) == Counter({f"<{m.message_id}@localhost>": 1 for m in messages})
    for message in db.session.scalars(select(OutboxMessage)):
        assert message.status == OutboxStatus.SENT and message.attempts > 5
        assert CUT + timedelta(hours=1) <= message.sent_at <= CUT + timedelta(hours=1, minutes=31)
        assert message.last_error == ""


def test_a_failure_is_kept_with_its_reason_and_retry_time(app):
    rendered_outbox(app)
    now = CUT + timedelta(seconds=10)
    clock.freeze(now)
    report = deliver_due(RefusingSmtp(until=CUT + timedelta(days=1)))
    assert (report.sent, report.failed, report.next_retry) == (0, 3, now + timedelta(minutes=1))
    message = db.session.scalar(select(OutboxMessage).limit(1))
    assert message.status == OutboxStatus.PENDING and message.attempts == 1
    assert message.last_error == "421 Service not available, try again later"
    assert deliver_due(RefusingSmtp(until=CUT)).sent == 0  # not due again before its retry time


def test_eml_files_hold_both_parts_and_a_one_click_unsubscribe(app, client):
    messages = rendered_outbox(app)
    sender = sender_from_config(app.config, app.instance_path)
    assert isinstance(sender, EmlDirectorySender)
    assert deliver_due(sender).sent == 3
    teacher_message = next(m for m in messages if m.recipient.email == "teacher@example.cn")
    raw = (Path(app.instance_path) / "outbox" / f"2026-11-18-daily-user{teacher_message.recipient_id}.eml").read_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "新天学区每日简报 · 2026年11月18日星期三" and parsed["To"] == "teacher@example.cn"
    assert parsed.get_content_type() == "multipart/alternative"
    assert "学生参加镇运动会" in parsed.get_body(("plain",)).get_content()
    assert "学生参加镇运动会" in parsed.get_body(("html",)).get_content()
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = parsed["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("http://127.0.0.1:5000")
    assert client.get(path).status_code == 200  # the link asks first
    db.session.refresh(teacher_message.recipient)
    assert teacher_message.recipient.digest_frequency == DigestFrequency.DAILY
    assert client.post(path, data="List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded").status_code == 200
    db.session.refresh(teacher_message.recipient)
    assert teacher_message.recipient.digest_frequency == DigestFrequency.NONE


def test_handing_the_same_message_over_again_gives_the_same_single_file(app, tmp_path):
    message = rendered_outbox(app)[0]
    sender = EmlDirectorySender(tmp_path / "out")
    sender.send(build_email(message), "same-key")
    first = (tmp_path / "out" / "same-key.eml").read_bytes()
    sender.send(build_email(message), "same-key")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["same-key.eml"]
    assert (tmp_path / "out" / "same-key.eml").read_bytes() == first


class FakeSmtp:
    """Stands in for smtplib.SMTP: records the conversation; QUIT fails like a flaky server."""

    log: list = []

    def __init__(self, host, port, timeout):
        self.log.append(("connect", host, port))

    def starttls(self, context):
        self.log.append(("starttls",))

    def login(self, user, password):
        self.log.append(("login", user))

    def send_message(self, message):
        self.log.append(("send", message["To"]))

    def quit(self):
        raise smtplib.SMTPServerDisconnected("connection lost after the message was accepted")

    def close(self):
        self.log.append(("close",))


def test_smtp_sender_speaks_tls_and_login_and_ignores_a_failed_goodbye(app, monkeypatch):
    message = rendered_outbox(app)[0]
    FakeSmtp.log = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSmtp)
    app.config.update(MAIL_SERVER="smtp.example.cn", MAIL_PORT="587", MAIL_USERNAME="digest", MAIL_PASSWORD="pw",
                      MAIL_USE_TLS=True, MAIL_FROM="学区共享 <digest@example.cn>")
    sender = sender_from_config(app.config, app.instance_path)
    assert isinstance(sender, SmtpSender)
    sender.send(build_email(message), "key")
    assert FakeSmtp.log == [("connect", "smtp.example.cn", 587), ("starttls",), ("login", "digest"),
                            ("send", message.recipient_email), ("close",)]
    assert build_email(message)["Message-ID"] == f"<{message.message_id}@example.cn>"


def test_smtp_sender_reports_an_unreachable_server_as_a_failure_to_retry():
    message = EmailMessage()
    message["To"], message["From"], message["Subject"] = "a@example.cn", "b@example.cn", "test"
    message.set_content("test")
    with pytest.raises(SendFailed):
        SmtpSender("127.0.0.1", 9, "", "", False).send(message, "key")  # the discard port: nothing listens


def test_mail_settings_are_checked_with_their_names(tmp_path):
    assert isinstance(sender_from_config({"MAIL_SERVER": ""}, str(tmp_path)), EmlDirectorySender)
    with pytest.raises(MailSettingsError, match="MAIL_PORT"):
        sender_from_config({"MAIL_SERVER": "smtp.example.cn", "MAIL_PORT": "70000", "MAIL_FROM": "x@y.cn"}, "")
    with pytest.raises(MailSettingsError, match="MAIL_FROM"):
        sender_from_config({"MAIL_SERVER": "smtp.example.cn", "MAIL_PORT": "465", "MAIL_FROM": ""}, "")
