"""Notifications through the digests' outbox: to a local SMTP server and local WeCom/DingTalk/Feishu
receivers, each exactly once, also when a receiver was down (500s, refused connections) at first,
and with two senders racing."""
import base64
import hashlib
import hmac
import threading
from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import func, select

from booking import clock
from booking.accounts.models import Role
from booking.bookings.approvals import approve_booking
from booking.bookings.services import create_booking
from booking.digests.delivery import deliver_due
from booking.digests.models import DigestKind, OutboxChannel, OutboxMessage, OutboxStatus
from booking.digests.senders import SmtpSender
from booking.extensions import db
from booking.notifications import services
from booking.notifications.channels import WebhookPoster
from booking.notifications.models import Notification
from tests import factories
from tests.booking_support import NOW, freeze, single
from tests.notification_support import robot_receiver, smtp_receiver, start

ALLOWED = frozenset({"127.0.0.1"})


def _setup(app, receiver, title="科学实验"):
    """A gym needing approval; its teacher has a DingTalk (signed) and a Feishu (signed) robot, the
    teacher's school a WeCom robot. Returns the approved booking."""
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = ALLOWED
    freeze()
    gym = factories.resource(name="体育馆", approval_required=True)
    teacher = factories.user(email="li@example.cn")
    admin = factories.user(role=Role.SCHOOL_ADMIN, school=gym.owner_school)
    school_admin = factories.user(role=Role.SCHOOL_ADMIN, school=teacher.school)
    services.add_robot(school_admin, kind="wecom", url=receiver.url("/wecom?key=k1"), school_id=teacher.school_id)
    services.add_robot(teacher, kind="dingtalk", url=receiver.url("/dingtalk?access_token=t"), secret="SECding",
                       user=teacher)
    services.add_robot(teacher, kind="feishu", url=receiver.url("/feishu/hook"), secret="feishu-secret", user=teacher)
    booking = create_booking(teacher, single(gym, title=title)).bookings[0]
    approve_booking(admin, booking, reason="同意")
    db.session.commit()
    return booking, teacher


def _run_sender(smtp_port, minutes=30, start_after=None, receiver=None):
    """The scheduler's sender, once a simulated minute; starts ``receiver`` after ``start_after`` minutes."""
    sender = SmtpSender("127.0.0.1", smtp_port, "", "", False)
    poster = WebhookPoster(ALLOWED)
    for minute in range(minutes):
        if start_after is not None and minute == start_after:
            start(receiver)
        clock.freeze(NOW + timedelta(minutes=minute))
        deliver_due(sender, poster=poster)


def _check_signatures(receiver):
    (ding,) = [item for item in receiver.accepted if item.path == "/dingtalk"]
    timestamp = ding.query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SECding", f"{timestamp}\nSECding".encode(), hashlib.sha256).digest()).decode()
    assert ding.query["sign"] == [expected] and ding.query["access_token"] == ["t"]
    (feishu,) = receiver.bodies("/feishu")
    key = f"{feishu['timestamp']}\nfeishu-secret".encode()
    assert feishu["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_each_channel_gets_the_approval_once_in_its_format(app):
    with robot_receiver() as receiver, smtp_receiver() as smtp:
        booking, teacher = _setup(app, receiver)
        _run_sender(smtp.server_address[1], minutes=2)
        assert sorted(item.path for item in receiver.accepted) == ["/dingtalk", "/feishu/hook", "/wecom"]
        (wecom,) = receiver.bodies("/wecom")
        assert wecom["msgtype"] == "markdown" and "您的预约「科学实验」已被批准" in wecom["markdown"]["content"]
        (ding,) = receiver.bodies("/dingtalk")
        assert ding["msgtype"] == "markdown" and "已被批准" in ding["markdown"]["title"]
        (feishu,) = receiver.bodies("/feishu")
        assert feishu["msg_type"] == "post"
        _check_signatures(receiver)
        ((recipients, data),) = smtp.messages
        email = message_from_bytes(data, policy=policy.default)
        assert recipients == ["li@example.cn"] and "您的预约「科学实验」已被批准" in email["Subject"]
        assert "List-Unsubscribe" not in email  # that would stop the digests; the email links to its settings
    rows = list(db.session.scalars(select(OutboxMessage)))
    assert {row.channel for row in rows} == set(OutboxChannel)
    assert all(row.status == OutboxStatus.SENT and row.kind == DigestKind.NOTIFICATION for row in rows)


def test_receivers_answering_500_at_first_get_each_message_exactly_once(app):
    with robot_receiver(failures=7) as receiver, smtp_receiver() as smtp:
        _setup(app, receiver)
        _run_sender(smtp.server_address[1], minutes=40)
        assert receiver.refused == 7
        assert sorted(item.path for item in receiver.accepted) == ["/dingtalk", "/feishu/hook", "/wecom"]
        _check_signatures(receiver)  # signed afresh at the attempt that got through
    rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.channel != OutboxChannel.EMAIL)))
    assert all(row.status == OutboxStatus.SENT and row.last_error == "" for row in rows)
    assert sum(row.attempts for row in rows) == 7 + 3


def test_a_robot_refusing_connections_for_a_while_gets_each_message_once(app):
    with robot_receiver(listening=False) as receiver, smtp_receiver() as smtp:
        _setup(app, receiver)
        sender, poster = SmtpSender("127.0.0.1", smtp.server_address[1], "", "", False), WebhookPoster(ALLOWED)
        clock.freeze(NOW)
        first = deliver_due(sender, poster=poster)
        assert first.sent == 1 and first.failed == 3  # the email went; the robots are down
        waiting = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)).all()
        assert len(waiting) == 3 and all("Connection" in row.last_error or "refused" in row.last_error for row in waiting)
        _run_sender(smtp.server_address[1], minutes=20, start_after=10, receiver=receiver)
        assert sorted(item.path for item in receiver.accepted) == ["/dingtalk", "/feishu/hook", "/wecom"]
        assert len(smtp.messages) == 1


def test_two_senders_racing_hand_each_message_over_once(app):
    app.config["NOTIFY_WEBHOOK_ALLOWED_HOSTS"] = ALLOWED
    with robot_receiver() as receiver, smtp_receiver() as smtp:
        freeze()
        school = factories.school()
        admin = factories.user(role=Role.SCHOOL_ADMIN, school=school)
        services.add_robot(admin, kind="wecom", url=receiver.url("/wecom?key=race"), school_id=school.id)
        teachers = [factories.user(school=school) for _ in range(12)]
        for teacher in teachers:
            services.notify(teacher, "approved", {"title": f"课{teacher.id}"}, school_id=school.id)
        db.session.commit()
        expected = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        assert expected == 24
        barrier, errors = threading.Barrier(2), []

        def worker():
            try:
                with app.app_context():
                    clock.freeze(NOW)
                    barrier.wait(30)
                    deliver_due(SmtpSender("127.0.0.1", smtp.server_address[1], "", "", False),
                                poster=WebhookPoster(ALLOWED))
                    db.session.remove()
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        titles = [body["markdown"]["content"] for body in receiver.bodies("/wecom")]
        assert len(titles) == len(set(titles)) == 12
        assert len(smtp.messages) == 12 and len({data for _r, data in smtp.messages}) == 12
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.status))) == {OutboxStatus.SENT}


def test_user_text_is_escaped_in_email_and_inert_in_robots(app):
    title = "<b>实验</b> **粗** [点](http://evil.cn) <@all>"
    with robot_receiver() as receiver, smtp_receiver() as smtp:
        _setup(app, receiver, title=title)
        _run_sender(smtp.server_address[1], minutes=1)
        for body in receiver.accepted:
            text = str(body.body)
            assert "[点](" not in text and "<@all>" not in text and "**粗**" not in text and "<b>" not in text
        ((_, data),) = smtp.messages
        email = message_from_bytes(data, policy=policy.default)
        html = email.get_body(("html",)).get_content()
        assert "&lt;b&gt;实验&lt;/b&gt;" in html and "<b>实验" not in html
    notification = db.session.scalar(select(Notification))
    assert notification.params["title"] == title  # stored as written; escaped where shown


def test_a_switched_off_robot_keeps_its_messages_waiting(app):
    with robot_receiver() as receiver:
        _setup(app, receiver)
        for robot in services.robots_of_user(db.session.scalar(select(Notification)).user):
            robot.active = False
        db.session.commit()
        clock.freeze(NOW)
        report = deliver_due(SmtpSender("127.0.0.1", 9, "", "", False), poster=WebhookPoster(ALLOWED))
        assert report.failed >= 2 and len(receiver.bodies("/dingtalk")) == 0
        pending = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)).all()
        assert {row.channel for row in pending} >= {OutboxChannel.DINGTALK, OutboxChannel.FEISHU}
